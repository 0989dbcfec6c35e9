import type { ThreadRef } from "../types";
import type { TgxMessage } from "./export-schema";

/**
 * Forum topics in a Desktop export. The export has no topic field, so membership is inferred as the
 * Bot API defines it: a message in a topic replies (directly or through a chain) to the topic's
 * `topic_created` service message, whose id is the topic id. A chain that leaves the excerpt or never
 * reaches a topic root stays in the main timeline (the General topic has no root message).
 */
export interface TopicIndex {
  /** Topic id → its latest title (a later topic_edit renames it). */
  titles: Map<number, string | undefined>;
  threadOf(id: number): ThreadRef | undefined;
  isTopicRoot(id: number): boolean;
}

export function indexTopics(messages: readonly TgxMessage[]): TopicIndex {
  const byId = new Map<number, TgxMessage>();
  for (const m of messages) byId.set(m.id, m);
  const titles = new Map<number, string | undefined>();
  for (const m of messages) if (m.type === "service" && m.action === "topic_created") titles.set(m.id, m.title);

  const memo = new Map<number, number | null>();
  const topicOf = (start: number): number | null => {
    const path: number[] = [];
    let cur: number | undefined = start;
    let found: number | null = null;
    // Iterative with a visited set: a garbled export can hold a reply cycle or a very long chain.
    const seen = new Set<number>();
    while (cur !== undefined && !seen.has(cur)) {
      const known = memo.get(cur);
      if (known !== undefined) {
        found = known;
        break;
      }
      if (titles.has(cur)) {
        found = cur;
        break;
      }
      seen.add(cur);
      path.push(cur);
      cur = byId.get(cur)?.reply_to_message_id;
    }
    for (const id of path) memo.set(id, found);
    return found;
  };

  // Renames apply in message order, so the final title is the one the topic has now.
  const ordered = [...messages].sort((a, b) => a.id - b.id);
  for (const m of ordered) {
    if (m.type !== "service" || m.action !== "topic_edit" || !m.new_title) continue;
    const topic = topicOf(m.id);
    if (topic !== null) titles.set(topic, m.new_title);
  }

  return {
    titles,
    isTopicRoot: (id) => titles.has(id),
    threadOf(id) {
      const topic = topicOf(id);
      if (topic === null) return undefined;
      const title = titles.get(topic);
      return { externalId: String(topic), kind: "forum_topic", ...(title ? { title } : {}) };
    },
  };
}

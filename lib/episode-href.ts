/**
 * The link to one episode. It carries the episode's opening message (`m`) beside its id: an episode that
 * changes (an open one answered, a later message joining it) is stored anew under another id
 * (db/queries/episodes/write.ts replaceEpisodes), while its opening message stays; the episode page finds
 * the episode by that message when the id is gone and redirects to the current one.
 */
export function episodeHref(school: string, id: number, openedMessageId: number | null): string {
  const q = new URLSearchParams({ school });
  if (openedMessageId !== null) q.set("m", String(openedMessageId));
  return `/episodes/${id}?${q.toString()}`;
}

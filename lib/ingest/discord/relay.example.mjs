#!/usr/bin/env node
// Discord -> support-quality dashboard relay. A school runs this beside its own bot: the bot token never
// leaves the school, the dashboard only receives signed copies of message events. See README.md.
//
//   DISCORD_BOT_TOKEN=...  SQD_RELAY_URL=https://dash.example/api/ingest/discord  SQD_RELAY_SECRET=...  node relay.example.mjs
//
// Plain Node >= 20, no dependencies: uses the built-in WebSocket (Node 22+) or the `ws` package if
// installed (Node 20). Gateway v10, JSON encoding, no compression.

import { createHmac } from "node:crypto";

const TOKEN = process.env.DISCORD_BOT_TOKEN;
const TARGET = process.env.SQD_RELAY_URL;
const SECRET = process.env.SQD_RELAY_SECRET;
if (!TOKEN || !TARGET || !SECRET || SECRET.length < 16) {
  console.error("set DISCORD_BOT_TOKEN, SQD_RELAY_URL and SQD_RELAY_SECRET (at least 16 characters)");
  process.exit(2);
}

// GUILDS is needed for THREAD_CREATE and for the channel list that tells a thread's parent;
// MESSAGE_CONTENT is privileged (enable it in the Developer Portal) or `content` arrives empty.
const INTENTS = (1 << 0) | (1 << 9) | (1 << 12) | (1 << 15); // GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT
const GATEWAY = "wss://gateway.discord.gg/?v=10&encoding=json";
const FORWARDED = new Set(["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK", "THREAD_CREATE"]);
const FATAL_CLOSE = new Map([
  [4004, "authentication failed: check DISCORD_BOT_TOKEN"],
  [4010, "invalid shard"],
  [4011, "sharding required: this relay runs one shard"],
  [4012, "invalid API version"],
  [4013, "invalid intents"],
  [4014, "disallowed intents: enable MESSAGE_CONTENT in the Developer Portal"],
]);

const channels = new Map(); // id -> {id, type, name, parent_id, guild_id}: tells a thread's parent
const authors = new Map(); // message id -> author, so a deletion can say whose message it was
const MAX_AUTHORS = 50_000;

let applicationId;
let sessionId;
let resumeUrl;
let seq = null;
let ws;
let heartbeatTimer;
let firstBeatTimer;
let acked = true;

async function openSocket(url) {
  const Impl = globalThis.WebSocket ?? (await import("ws")).default;
  return new Impl(url);
}

function send(op, d) {
  ws.send(JSON.stringify({ op, d }));
}

function heartbeat() {
  if (!acked) {
    // No ACK since the last beat: the connection is a zombie. Close with a non-1000 code to keep the session.
    console.warn("heartbeat not acknowledged; reconnecting");
    ws.close(4000);
    return;
  }
  acked = false;
  send(1, seq);
}

function remember(ch) {
  if (ch && ch.id) channels.set(ch.id, { id: ch.id, type: ch.type, name: ch.name ?? null, parent_id: ch.parent_id ?? null, guild_id: ch.guild_id });
}

function rememberAuthor(id, author) {
  authors.set(id, author);
  if (authors.size > MAX_AUTHORS) authors.delete(authors.keys().next().value);
}

async function forward(t, s, d) {
  const channel = d && (d.channel_id ? channels.get(d.channel_id) : t === "THREAD_CREATE" ? channels.get(d.id) : undefined);
  const parent = channel && channel.parent_id ? channels.get(channel.parent_id) : undefined;
  const envelope = {
    v: 1,
    relayedAt: new Date().toISOString(),
    ...(applicationId ? { applicationId } : {}),
    channel: channel ?? null,
    parent: parent ?? null,
    messageAuthor: t === "MESSAGE_DELETE" ? (authors.get(d.id) ?? null) : null,
    payload: { op: 0, t, s, d },
  };
  const body = JSON.stringify(envelope);
  for (let attempt = 0; attempt < 6; attempt++) {
    const ts = Math.floor(Date.now() / 1000);
    const signature = "sha256=" + createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex");
    try {
      const res = await fetch(TARGET, {
        method: "POST",
        headers: { "content-type": "application/json", "x-sqd-timestamp": String(ts), "x-sqd-signature": signature },
        body,
      });
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 429)) {
        if (!res.ok) console.error(`dashboard refused ${t} (${res.status}): ${await res.text()}`);
        return;
      }
    } catch (e) {
      console.warn(`forward ${t} failed: ${e.message}`);
    }
    await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
  }
  console.error(`gave up forwarding ${t} ${d && d.id}`);
}

// Deliveries are queued so the dashboard sees them in gateway order (an edit never before its create).
let queue = Promise.resolve();
function enqueue(t, s, d) {
  queue = queue.then(() => forward(t, s, d)).catch((e) => console.error(e));
}

function onDispatch(t, s, d) {
  if (t === "READY") {
    sessionId = d.session_id;
    resumeUrl = d.resume_gateway_url;
    applicationId = d.application && d.application.id;
    console.log(`ready as ${d.user && d.user.username}`);
    return;
  }
  if (t === "GUILD_CREATE") {
    for (const c of d.channels ?? []) remember({ ...c, guild_id: d.id });
    for (const c of d.threads ?? []) remember({ ...c, guild_id: d.id });
    return;
  }
  if (t === "CHANNEL_CREATE" || t === "CHANNEL_UPDATE" || t === "THREAD_UPDATE") remember(d);
  if (t === "THREAD_LIST_SYNC") for (const c of d.threads ?? []) remember(c);
  if (t === "THREAD_CREATE") remember(d);
  if (t === "MESSAGE_CREATE" && d.author) rememberAuthor(d.id, d.author);
  if (FORWARDED.has(t)) enqueue(t, s, d);
}

async function connect(resume) {
  const url = resume && resumeUrl ? `${resumeUrl}/?v=10&encoding=json` : GATEWAY;
  ws = await openSocket(url);
  ws.onmessage = (ev) => {
    const msg = JSON.parse(typeof ev.data === "string" ? ev.data : ev.data.toString());
    if (msg.s !== null && msg.s !== undefined) seq = msg.s;
    switch (msg.op) {
      case 10: {
        // HELLO: first beat after a random fraction of the interval, as the docs ask, then every interval.
        clearInterval(heartbeatTimer);
        clearTimeout(firstBeatTimer);
        acked = true;
        const interval = msg.d.heartbeat_interval;
        firstBeatTimer = setTimeout(() => {
          heartbeat();
          heartbeatTimer = setInterval(heartbeat, interval);
        }, Math.floor(interval * Math.random()));
        if (resume && sessionId) send(6, { token: TOKEN, session_id: sessionId, seq });
        else send(2, { token: TOKEN, intents: INTENTS, properties: { os: process.platform, browser: "sqd-relay", device: "sqd-relay" } });
        break;
      }
      case 11:
        acked = true;
        break;
      case 1:
        send(1, seq);
        break;
      case 7:
        ws.close(4000); // RECONNECT: resume on a new socket
        break;
      case 9: {
        // INVALID_SESSION: d tells whether the session can be resumed; otherwise identify afresh.
        if (!msg.d) {
          sessionId = undefined;
          seq = null;
        }
        setTimeout(() => ws.close(4000), 1000 + Math.floor(Math.random() * 4000));
        break;
      }
      case 0:
        onDispatch(msg.t, msg.s, msg.d);
        break;
      default:
        break;
    }
  };
  ws.onclose = (ev) => {
    clearInterval(heartbeatTimer);
    clearTimeout(firstBeatTimer);
    const fatal = FATAL_CLOSE.get(ev.code);
    if (fatal) {
      console.error(`gateway closed: ${fatal}`);
      process.exit(1);
    }
    setTimeout(() => connect(Boolean(sessionId)).catch((e) => console.error(e)), 2000);
  };
  ws.onerror = (e) => console.warn(`gateway error: ${e.message ?? e}`);
}

connect(false).catch((e) => {
  console.error(e);
  process.exit(1);
});

// A Jetstream bridge for tests: reads a PDS firehose (@atproto/sync) and re-serves it as
// Jetstream v1 JSON on ws://127.0.0.1:<port>/subscribe, keeping `retentionSecs` of events.
// Like Jetstream: `cursor` (µs) replays what is kept from there and a cursor older than what is
// kept is clamped silently; no cursor is live; `wantedCollections` and `wantedDids` filter
// commits, `options_update` messages replace the filter, and `requireHello=true` holds
// everything back until the first one. `optionsUpdates()` counts the updates received.
import { Firehose } from '@atproto/sync'
import { IdResolver } from '@atproto/identity'
import { lexToJson } from '@atproto/lexicon'
import { WebSocketServer } from 'ws'

export async function startBridge(firehoseUrl, retentionSecs, plcUrl) {
  const log = [] // events, oldest first
  const clients = new Set()
  let updates = 0
  let lastUs = 0
  const stamp = () => {
    lastUs = Math.max(Date.now() * 1000, lastUs + 1)
    return lastUs
  }
  const prune = () => {
    const oldest = Date.now() * 1000 - retentionSecs * 1e6
    while (log.length && log[0].time_us < oldest) log.shift()
  }
  const wanted = (c, ev) => {
    if (c.dids.size && !c.dids.has(ev.did)) return false
    if (ev.kind !== 'commit' || !c.collections.length) return true
    return c.collections.some((w) =>
      w.endsWith('.*') ? ev.commit.collection.startsWith(w.slice(0, -1)) : ev.commit.collection === w,
    )
  }
  const publish = (ev) => {
    log.push(ev)
    prune()
    for (const c of clients) if (c.live && wanted(c, ev)) c.ws.send(JSON.stringify(ev))
  }

  const firehose = new Firehose({
    service: firehoseUrl,
    idResolver: new IdResolver({ plcUrl }),
    unauthenticatedCommits: true,
    unauthenticatedHandles: true,
    onError: (e) => console.error('bridge:', e.message),
    handleEvent: async (evt) => {
      const time_us = stamp()
      if (evt.event === 'create' || evt.event === 'update' || evt.event === 'delete') {
        const commit = {
          rev: evt.rev,
          operation: evt.event,
          collection: evt.collection,
          rkey: evt.rkey,
        }
        if (evt.event !== 'delete') {
          commit.record = lexToJson(evt.record)
          commit.cid = evt.cid.toString()
        }
        publish({ did: evt.did, time_us, kind: 'commit', commit })
      } else if (evt.event === 'identity') {
        publish({
          did: evt.did, time_us, kind: 'identity',
          identity: { did: evt.did, handle: evt.handle, seq: evt.seq, time: evt.time },
        })
      } else if (evt.event === 'account') {
        publish({
          did: evt.did, time_us, kind: 'account',
          account: { did: evt.did, active: evt.active, status: evt.status, seq: evt.seq, time: evt.time },
        })
      }
    },
  })
  firehose.start()

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  wss.on('connection', (ws, req) => {
    const q = new URL(req.url, 'http://x').searchParams
    const c = {
      ws,
      live: false,
      collections: q.getAll('wantedCollections'),
      dids: new Set(q.getAll('wantedDids')),
    }
    const cursor = q.get('cursor')
    const begin = () => {
      if (cursor !== null) {
        prune()
        for (const ev of log) if (ev.time_us >= Number(cursor) && wanted(c, ev)) ws.send(JSON.stringify(ev))
      }
      c.live = true
    }
    ws.on('message', (m) => {
      try {
        const msg = JSON.parse(String(m))
        if (msg.type === 'options_update') {
          updates++
          c.collections = msg.payload?.wantedCollections ?? []
          c.dids = new Set(msg.payload?.wantedDids ?? [])
          if (!c.live) begin()
        }
      } catch {}
    })
    ws.on('close', () => clients.delete(c))
    clients.add(c)
    if (q.get('requireHello') !== 'true') begin()
  })
  await new Promise((r) => wss.once('listening', r))
  return {
    url: `ws://127.0.0.1:${wss.address().port}/subscribe`,
    optionsUpdates: () => updates,
    close: async () => {
      for (const c of clients) c.ws.terminate()
      wss.close()
      await firehose.destroy()
    },
  }
}

// Starts a real PDS and PLC directory on 127.0.0.1 (@atproto/dev-env, no AppView), creates the
// accounts named on the command line (handles), each with some posts (--posts=N, default 3),
// the first following the others (unless --no-follows), prints one JSON line
// {"plc", "pds", "jetstream"?, "accounts": [{"handle", "did", "password"}]}, then answers
// commands, one JSON line each on stdin, with one JSON line on stdout (see `commands` below).
// --jetstream=SECS also serves the PDS firehose as Jetstream JSON (bridge.mjs) keeping SECS
// seconds of events. --reference also runs the reference AppView (@atproto/bsky, with dev-env's
// Ozone: its TestNetwork) on a throwaway PostgreSQL of its own (postgres.mjs), reading the
// PDS's firehose; the info line then has "appview" and "appviewDid", and the "reference" command
// asks it. The PDS proxies to --appview when given, else to the reference. Stops when stdin
// closes (or on SIGINT/SIGTERM), removing the PDS's data directories and the database.
// Usage: node network.mjs [--posts=N] [--no-follows] [--jetstream=SECS] [--reference]
//   [--appview=URL --appview-did=DID] alice.test bob.test
import { TestNetwork, TestNetworkNoAppView } from '@atproto/dev-env'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { startBridge } from './bridge.mjs'
import { startFeedGen } from './feedgen.mjs'
import { startLabeler } from './labeler.mjs'
import { startPostgres } from './postgres.mjs'

// dev-env puts the PDS's data and blobs under os.tmpdir(): make that a directory of our own,
// removed when the network stops.
const systemTmp = os.tmpdir()
const scratch = mkdtempSync(path.join(systemTmp, 'aerie-pds-'))
process.env.TMPDIR = scratch
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
// Should this process be killed outright, a shell waiting on a pipe from it removes it then.
const janitor = spawn('sh', ['-c', 'trap "" INT TERM; cat >/dev/null; rm -rf "$1"', 'sh', scratch], {
  stdio: ['pipe', 'ignore', 'ignore'],
})
janitor.unref()
janitor.stdin.unref()

// What stop() closes, last started first: each part adds its closer as it starts. Stops once,
// on stdin's end or SIGINT/SIGTERM (then exiting 1), at whatever point startup is.
const closers = []
let stopping
function stop() {
  stopping ??= (async () => {
    while (closers.length) {
      try {
        await closers.pop()()
      } catch (e) {
        console.error('network.mjs: stopping:', e)
      }
    }
  })()
  return stopping
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => stop().finally(() => process.exit(1)))
}

const flags = Object.fromEntries(
  process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => {
    const [k, v] = a.slice(2).split('=')
    return [k, v ?? true]
  }),
)
const handles = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const postsEach = Number(flags.posts ?? 3)

// --appview=URL --appview-did=DID: the AppView the PDS proxies its users' app.bsky calls to.
const pdsConfig = {}
if (flags.appview) {
  pdsConfig.bskyAppViewUrl = flags.appview
  pdsConfig.bskyAppViewDid = flags['appview-did']
}
// --reference: the database of the reference AppView and Ozone (schemas appview_ref, ozone_ref),
// in the system's temporary directory (its own user must reach it when we are root). TestNetwork
// insists on REDIS_HOST, but nothing of the pinned bsky, Ozone or PDS connects to it: a closed
// port. params.pds goes last in TestNetwork's PDS config, so --appview still wins there.
let pg
let net
if (flags.reference) {
  pg = await startPostgres(systemTmp)
  closers.push(() => pg.stop())
  process.env.REDIS_HOST ??= '127.0.0.1:9'
  net = await TestNetwork.create({ dbPostgresUrl: pg.url, dbPostgresSchema: 'ref', pds: pdsConfig })
} else {
  net = await TestNetworkNoAppView.create({ pds: pdsConfig })
}
// @atproto/sync's MemoryRunner.destroy waits forever for tasks it dropped, so the reference's
// close hangs now and then when its firehose queue is not empty: drain it first, and give each
// step at most 5 s (the process exits after stop() anyway).
const within = (ms, p) => Promise.race([p, new Promise((ok) => setTimeout(ok, ms).unref())])
closers.push(async () => {
  if (flags.reference) await within(5_000, net.processAll(5_000).catch(() => {}))
  await within(5_000, net.close())
})
const agents = new Map()
const accounts = []
for (const handle of handles) {
  const agent = net.pds.getClient()
  const name = handle.split('.')[0]
  await agent.createAccount({ email: `${name}@test.invalid`, handle, password: `${name}-pass` })
  await createPosts(agent, postsEach, (i) => `post ${i} by ${handle}`)
  agents.set(handle, agent)
  accounts.push({ handle, did: agent.session.did, password: `${name}-pass` })
}
if (!flags['no-follows']) {
  for (const other of accounts.slice(1)) await agents.get(handles[0]).follow(other.did)
}

// Faults for one method (getRepo unless named): 'off', '500' (an error), 'hang' (no answer
// until the client gives up).
let fault = 'off'
// The method the fault applies to.
let faultPath = '/xrpc/com.atproto.sync.getRepo'
// The test's feed generator, started by the first "feedgen" command.
let feedgen
// The test's labeler, started by the "labeler" command.
let labeler
const server = net.pds.server.server
const listeners = server.listeners('request')
server.removeAllListeners('request')
server.on('request', (req, res) => {
  if (fault !== 'off' && req.url.startsWith(faultPath)) {
    if (fault === '500') {
      res.writeHead(500, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ error: 'InternalServerError', message: 'injected' }))
    }
    return // 'hang'
  }
  for (const l of listeners) l.call(server, req, res)
})

const info = { plc: net.plc.url, pds: net.pds.url, accounts }
if (flags.reference) {
  info.appview = net.bsky.url
  info.appviewDid = net.bsky.ctx.cfg.serverDid
}
let bridge
if (flags.jetstream) {
  bridge = await startBridge(net.pds.url.replace('http', 'ws'), Number(flags.jetstream), net.plc.url)
  closers.push(() => bridge.close())
  info.jetstream = bridge.url
}
console.log(JSON.stringify(info))

// Posts in batches of applyWrites (the PDS allows 200 writes per call).
async function createPosts(agent, count, text) {
  const now = Date.now()
  for (let start = 0; start < count; start += 200) {
    const writes = []
    for (let i = start; i < Math.min(count, start + 200); i++) {
      writes.push({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: 'app.bsky.feed.post',
        value: {
          $type: 'app.bsky.feed.post',
          text: text(i + 1),
          // Spread over the past, oldest first, one second apart.
          createdAt: new Date(now - (count - i) * 1000).toISOString(),
        },
      })
    }
    await agent.com.atproto.repo.applyWrites({ repo: agent.session.did, writes })
  }
}

const commands = {
  // {"cmd":"posts","as":handle,"count":N,"text":"prefix"} → {"count"}
  posts: async (c) => {
    await createPosts(agents.get(c.as), c.count, (i) => `${c.text ?? 'post'} ${i}`)
    return { count: c.count }
  },
  // {"cmd":"post","as":handle,"text":..} → {"uri","cid"}
  post: async (c) => agents.get(c.as).post({ text: c.text }),
  // {"cmd":"like","as":handle,"uri","cid"} → {"uri","cid"}
  like: async (c) => agents.get(c.as).like(c.uri, c.cid),
  // {"cmd":"follow","as":handle,"did"} → {"uri","cid"}
  follow: async (c) => agents.get(c.as).follow(c.did),
  // {"cmd":"delete","as":handle,"uri"} → {}
  delete: async (c) => {
    const [, , did, collection, rkey] = c.uri.split('/')
    await agents.get(c.as).com.atproto.repo.deleteRecord({ repo: did, collection, rkey })
    return {}
  },
  // {"cmd":"records","as":handle,"collection"} → {"records":[{uri,cid,value}]} (newest first)
  records: async (c) => {
    const agent = agents.get(c.as)
    const uris = []
    let cursor
    do {
      const r = await agent.com.atproto.repo.listRecords({
        repo: agent.session.did, collection: c.collection, limit: 100, cursor,
      })
      uris.push(...r.data.records.map((x) => ({ uri: x.uri, cid: x.cid, value: x.value })))
      cursor = r.data.records.length ? r.data.cursor : undefined
    } while (cursor)
    return { records: uris }
  },
  // {"cmd":"bridge"} → {"optionsUpdates"}: what the Jetstream bridge received
  bridge: async () => ({ optionsUpdates: bridge.optionsUpdates() }),
  // {"cmd":"pds","as":handle,"nsid","params","input"?} → an app.bsky call made at the PDS (which
  // proxies it to the configured AppView with service auth) by the account's AtpAgent, which
  // validates the answer against the lexicons: {"status","body"} or {"status","error"}
  pds: async (c) => {
    try {
      const opts = c.headers ? { headers: c.headers } : undefined
      const res = await agents.get(c.as).call(c.nsid, c.params ?? {}, c.input, opts)
      return { status: 200, body: res.data }
    } catch (e) {
      return { status: e.status ?? 0, error: e.error ?? String(e.message ?? e) }
    }
  },
  // {"cmd":"sync"} → {}: waits until the reference AppView (--reference) has indexed every
  // write the PDS has sequenced so far (a no-op beyond the PDS's own queue without it)
  sync: async () => {
    await sync()
    return {}
  },
  // {"cmd":"reference","as"?:handle,"nsid","params","input"?} → an app.bsky call made straight at
  // the reference AppView (--reference) after a sync, with a service-auth token of the account
  // (none without "as"), validated against the lexicons by @atproto/api: {"status","body"} or
  // {"status","error"}, as "pds" answers
  reference: async (c) => {
    if (!flags.reference) throw new Error('the network runs without --reference')
    await sync()
    const headers = c.as ? await net.serviceHeaders(agents.get(c.as).session.did, c.nsid) : {}
    try {
      const res = await referenceAgent.call(c.nsid, c.params ?? {}, c.input, { headers })
      return { status: 200, body: res.data }
    } catch (e) {
      return { status: e.status ?? 0, error: e.error ?? String(e.message ?? e) }
    }
  },
  // {"cmd":"serviceauth","as":handle,"aud","lxm"} → {"token"} signed by the account's key
  serviceauth: async (c) => {
    const r = await agents.get(c.as).com.atproto.server.getServiceAuth({ aud: c.aud, lxm: c.lxm })
    return { token: r.data.token }
  },
  // {"cmd":"apppassword","as":handle} → {"password"}
  apppassword: async (c) => {
    const r = await agents.get(c.as).com.atproto.server.createAppPassword({ name: `aerie-${Date.now()}` })
    return { password: r.data.password }
  },
  // {"cmd":"put","as":handle,"collection","rkey"?,"record"} → {"uri","cid"} (no rkey: a TID)
  put: async (c) => {
    const agent = agents.get(c.as)
    const at = { repo: agent.session.did, collection: c.collection, record: c.record }
    const r = c.rkey
      ? await agent.com.atproto.repo.putRecord({ ...at, rkey: c.rkey })
      : await agent.com.atproto.repo.createRecord(at)
    return r.data
  },
  // {"cmd":"feedgen","as":handle,"rkey","name"} → {"uri","cid","did"}: starts the test's feed
  // generator (once) and declares it in the account's repo
  feedgen: async (c) => {
    if (!feedgen) {
      feedgen = await startFeedGen()
      closers.push(() => feedgen.close())
    }
    const agent = agents.get(c.as)
    const r = await agent.com.atproto.repo.putRecord({
      repo: agent.session.did,
      collection: 'app.bsky.feed.generator',
      rkey: c.rkey,
      record: {
        $type: 'app.bsky.feed.generator',
        did: feedgen.state.did,
        displayName: c.name,
        description: `${c.name}, a test feed`,
        createdAt: new Date().toISOString(),
      },
    })
    feedgen.state.feeds.push(r.data.uri)
    return { uri: r.data.uri, cid: r.data.cid, did: feedgen.state.did }
  },
  // {"cmd":"feedgenserve","items":[skeleton items],"mode"?} → {}
  feedgenserve: async (c) => {
    feedgen.state.items = c.items ?? []
    feedgen.state.mode = c.mode ?? 'ok'
    return {}
  },
  // {"cmd":"feedgenseen"} → {"seen":[{authorization, params}]}: the skeleton requests so far
  feedgenseen: async () => ({ seen: feedgen.state.seen }),
  // {"cmd":"fault","mode":"off"|"500"|"hang","nsid"?} → {}: the PDS fails that method
  // (getRepo unless named)
  fault: async (c) => {
    fault = c.mode
    faultPath = `/xrpc/${c.nsid ?? 'com.atproto.sync.getRepo'}`
    return {}
  },
  // {"cmd":"labeler","as":handle} → {"did","url"}: makes the account a labeler served by the
  // test's own labeler (labeler.mjs: its DID document names the server and label key)
  labeler: async (c) => {
    labeler = await startLabeler({ pds: net.pds, agent: agents.get(c.as) })
    closers.push(() => labeler.close())
    return { did: labeler.did, url: labeler.url }
  },
  // {"cmd":"label","label":{uri,val,neg?,exp?,cid?,badSig?}} → {"seq"}: a signed label, streamed
  label: async (c) => ({ seq: (await labeler.emit(c.label)).seq }),
  // {"cmd":"labelersubs"} → {"subscriptions":[{cursor}]}: what each subscription asked for
  labelersubs: async () => ({ subscriptions: labeler.subscriptions() }),
}

// The reference AppView's client (dev-env's: it asks for the example labeler's labels too).
const referenceAgent = flags.reference ? net.bsky.getClient() : undefined
// Everything the PDS sequenced so far indexed by the reference (up to a minute).
const sync = () => (flags.reference ? net.processAll(60_000) : net.processAll())

const rl = readline.createInterface({ input: process.stdin })
for await (const line of rl) {
  let out
  try {
    const c = JSON.parse(line)
    out = await commands[c.cmd](c)
  } catch (e) {
    out = { error: String(e?.message ?? e) }
  }
  console.log(JSON.stringify(out))
}
await stop()
process.exit(0)

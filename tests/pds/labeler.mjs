// A labeler of the test's own: turns an account of the test PDS into an AT Protocol labeler
// served on 127.0.0.1. Its DID document gains, by a PLC operation the PDS signs (as a real
// labeler's does: requestPlcOperationSignature, signPlcOperation, submitPlcOperation), the
// service `#atproto_labeler` (AtprotoLabeler, our URL) and the key `#atproto_label` (a fresh
// secp256k1 key); its repo gains app.bsky.labeler.service/self. The server answers
// com.atproto.label.subscribeLabels (WebSocket, DAG-CBOR frames: header then body) and
// com.atproto.label.queryLabels (JSON) from the labels the test emits, each signed with that key
// (or, with `badSig`, with another one). It owns its HTTP server and its subscribers, nothing
// else: the account and its DID document stay as they are when it closes.
import http from 'node:http'
import { Secp256k1Keypair } from '@atproto/crypto'
import { encode } from '@atproto/lex-cbor'
import { WebSocketServer } from 'ws'

const SUBSCRIBE = '/xrpc/com.atproto.label.subscribeLabels'
const QUERY = '/xrpc/com.atproto.label.queryLabels'

// pds: dev-env's TestPds (net.pds); agent: an AtpAgent logged in as the account on it.
// labelValues / labelValueDefinitions: the policies of its app.bsky.labeler.service record.
// futureCursor: what a subscription whose cursor is past the latest seq gets: 'error' (the
// lexicon's FutureCursor error frame, then the socket closes: what Ozone does) or 'info' (an
// #info OutdatedCursor frame, then the live stream).
export async function startLabeler({
  pds,
  agent,
  labelValues = ['!hide', '!warn', 'porn', 'spam'],
  labelValueDefinitions,
  futureCursor = 'error',
  port = 0,
} = {}) {
  const did = agent.session.did
  const plcUrl = pds.ctx.cfg.identity.plcUrl
  const key = await Secp256k1Keypair.create({ exportable: true })
  const events = [] // {seq, labels}, oldest first
  const clients = new Set() // {ws, cursor, live}
  const subscriptions = [] // what each subscription asked for: {cursor: number | null}

  // The server: queryLabels over HTTP, subscribeLabels on upgrade.
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === QUERY) return json(200, queryLabels(url.searchParams))
    json(404, { error: 'MethodNotImplemented', message: 'no such method' })
  })
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url, 'http://x').pathname !== SUBSCRIBE) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => subscribe(ws, req))
  })
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`

  try {
    await becomeLabeler()
  } catch (e) {
    await close()
    throw e
  }

  // The DID document: the account's current PLC data plus our service and key, in an operation
  // signed by the PDS's rotation key against the emailed token (read from the PDS's database,
  // as dev-env's own ServiceProfile.migrateTo does), submitted through the PDS. Then the record.
  async function becomeLabeler() {
    const res = await fetch(`${plcUrl}/${encodeURIComponent(did)}/data`)
    if (!res.ok) throw new Error(`labeler: PLC data of ${did}: ${res.status}`)
    const data = await res.json()
    await agent.com.atproto.identity.requestPlcOperationSignature()
    const { token } = await pds.ctx.accountManager.db.db
      .selectFrom('email_token')
      .select('token')
      .where('did', '=', did)
      .where('purpose', '=', 'plc_operation')
      .executeTakeFirstOrThrow()
    const signed = await agent.com.atproto.identity.signPlcOperation({
      token,
      rotationKeys: data.rotationKeys,
      alsoKnownAs: data.alsoKnownAs,
      verificationMethods: { ...data.verificationMethods, atproto_label: key.did() },
      services: {
        ...data.services,
        atproto_labeler: { type: 'AtprotoLabeler', endpoint: url },
      },
    })
    await agent.com.atproto.identity.submitPlcOperation({ operation: signed.data.operation })
    const policies = { labelValues }
    if (labelValueDefinitions) policies.labelValueDefinitions = labelValueDefinitions
    await agent.com.atproto.repo.putRecord({
      repo: did,
      collection: 'app.bsky.labeler.service',
      rkey: 'self',
      record: { $type: 'app.bsky.labeler.service', policies, createdAt: new Date().toISOString() },
    })
  }

  // A label as the spec has it: the DAG-CBOR of the label without `sig` (no undefined fields),
  // signed (SHA-256, compact 64 bytes, low-S) by the labeler's key, or another one for badSig.
  async function signLabel({ uri, val, cid, neg, cts, exp, badSig }) {
    const label = { ver: 1, src: did, uri }
    if (cid) label.cid = cid
    label.val = val
    if (neg) label.neg = true
    label.cts = cts ?? new Date().toISOString()
    if (exp) label.exp = exp
    const signer = badSig ? await Secp256k1Keypair.create() : key
    return { ...label, sig: await signer.sign(encode(label)) }
  }

  // Frames: the DAG-CBOR header then the DAG-CBOR body, in one binary message.
  const frame = (header, body) => Buffer.concat([encode(header), encode(body)])
  const labelsFrame = (evt) => frame({ op: 1, t: '#labels' }, evt)

  // A subscription: no cursor is live only; a cursor replays every event after it, then goes
  // live; a cursor past the latest seq gets `futureCursor`'s answer.
  function subscribe(ws, req) {
    const raw = new URL(req.url, 'http://x').searchParams.get('cursor')
    const cursor = raw === null ? null : Number(raw)
    subscriptions.push({ cursor })
    if (cursor !== null && !Number.isSafeInteger(cursor)) {
      ws.send(frame({ op: -1 }, { error: 'InvalidRequest', message: `bad cursor: ${raw}` }))
      return ws.close()
    }
    const latest = events.at(-1)?.seq ?? 0
    if (cursor !== null && cursor > latest) {
      if (futureCursor === 'error') {
        ws.send(frame({ op: -1 }, { error: 'FutureCursor', message: 'Cursor in the future.' }))
        return ws.close()
      }
      ws.send(frame({ op: 1, t: '#info' }, { name: 'OutdatedCursor', message: `latest seq is ${latest}` }))
    } else if (cursor !== null) {
      for (const evt of events) if (evt.seq > cursor) ws.send(labelsFrame(evt))
    }
    const c = { ws }
    clients.add(c)
    ws.on('close', () => clients.delete(c))
    ws.on('error', () => clients.delete(c))
  }

  // queryLabels: the latest label of each (uri, cid, val) whose uri matches a pattern (a
  // trailing `*` matches a prefix), negations included, in seq order; cursor is the seq.
  function queryLabels(q) {
    const patterns = q.getAll('uriPatterns')
    const sources = q.getAll('sources')
    const limit = Math.min(Math.max(Number(q.get('limit') ?? 50), 1), 250)
    const after = Number(q.get('cursor') ?? 0)
    const latest = new Map()
    for (const evt of events) {
      for (const l of evt.labels) latest.set(`${l.uri} ${l.cid ?? ''} ${l.val}`, { seq: evt.seq, l })
    }
    const matches = (uri) =>
      patterns.some((p) => (p.endsWith('*') ? uri.startsWith(p.slice(0, -1)) : uri === p))
    const found = [...latest.values()]
      .filter(({ seq, l }) => seq > after && matches(l.uri) && (!sources.length || sources.includes(l.src)))
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
    const labels = found.map(({ l }) => ({
      ...l,
      sig: { $bytes: Buffer.from(l.sig).toString('base64').replace(/=+$/, '') },
    }))
    return found.length ? { cursor: String(found.at(-1).seq), labels } : { labels }
  }

  // Emits one event of the next seq to every live subscriber: one label ({uri, val, cid?, neg?,
  // cts?, exp?, badSig?}) or several (an array). Returns the event {seq, labels}.
  async function emit(what) {
    const labels = await Promise.all((Array.isArray(what) ? what : [what]).map(signLabel))
    const evt = { seq: (events.at(-1)?.seq ?? 0) + 1, labels }
    events.push(evt)
    const bytes = labelsFrame(evt)
    for (const c of clients) c.ws.send(bytes)
    return evt
  }

  async function close() {
    for (const c of clients) c.ws.terminate()
    clients.clear()
    await new Promise((resolve) => wss.close(resolve))
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }

  return {
    did,
    url,
    signingKey: key.did(),
    emit,
    events: () => events,
    subscriptions: () => subscriptions,
    subscribers: () => clients.size,
    // Drops every subscriber (the socket closes; emitted labels stay for their next cursor).
    disconnectAll: () => {
      for (const c of clients) c.ws.terminate()
      clients.clear()
    },
    close,
  }
}

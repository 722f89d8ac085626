// A feed generator of the test's own (dev-env's TestFeedGen does not run with the pinned PDS):
// an HTTP server on 127.0.0.1 whose did:web document names it as `#bsky_fg`, answering
// app.bsky.feed.describeFeedGenerator and app.bsky.feed.getFeedSkeleton with the items it is
// told to serve, and remembering what each skeleton request carried (its Authorization
// header, its parameters). `mode` makes it fail: 'ok', '500' (an XRPC error), 'garbage' (a
// body that is no skeleton).
import http from 'node:http'

export async function startFeedGen() {
  const state = { items: [], mode: 'ok', seen: [], feeds: [] }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x')
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (url.pathname === '/.well-known/did.json') {
      return json(200, {
        '@context': ['https://www.w3.org/ns/did/v1'],
        id: state.did,
        service: [{ id: '#bsky_fg', type: 'BskyFeedGenerator', serviceEndpoint: state.url }],
      })
    }
    if (url.pathname === '/xrpc/app.bsky.feed.describeFeedGenerator') {
      return json(200, { did: state.did, feeds: state.feeds.map((uri) => ({ uri })) })
    }
    if (url.pathname === '/xrpc/app.bsky.feed.getFeedSkeleton') {
      state.seen.push({
        authorization: req.headers.authorization ?? null,
        params: Object.fromEntries(url.searchParams),
      })
      if (state.mode === '500') return json(500, { error: 'FeedBroke', message: 'injected' })
      if (state.mode === 'garbage') return json(200, { nope: true })
      const limit = Number(url.searchParams.get('limit') ?? 50)
      return json(200, { feed: state.items.slice(0, limit), cursor: 'next-page', reqId: 'req-1' })
    }
    json(404, { error: 'MethodNotImplemented', message: 'no such method' })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = server.address().port
  state.url = `http://localhost:${port}`
  state.did = `did:web:localhost%3A${port}`
  return { state, close: () => new Promise((resolve) => server.close(resolve)) }
}

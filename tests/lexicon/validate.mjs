// Runs a plan of XRPC calls against Aerie with @atproto/api's client, which validates every
// successful response against the official lexicons (XRPCInvalidResponseError otherwise), and
// checks error responses for the expected status and error name.
// Usage: node validate.mjs <service-url> <plan.json>
// plan.json: [{ "nsid": "...", "params": {...}, "expect": "ok" | { "status": 400, "error": "Name" }, "raw": bool, "next": bool }]
import { AtpAgent, lexicons } from '@atproto/api'
// A newer client for the methods the pinned one does not know (searchPostsV2,
// searchStarterPacksV2): steps with "next": true use it.
import { AtpAgent as NextAgent, lexicons as nextLexicons } from '@atproto/api-next'
import { readFileSync } from 'node:fs'

const [service, planPath] = process.argv.slice(2)
const plan = JSON.parse(readFileSync(planPath, 'utf8'))
const agent = new AtpAgent({ service })
const nextAgent = new NextAgent({ service })
let ok = 0
const failures = []

function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params ?? {})) {
    for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item))
  }
  return q.toString()
}

for (const step of plan) {
  const label = `${step.nsid}?${query(step.params)}`
  try {
    if (step.raw) {
      // Methods the client has no lexicon for: check the wire format by hand.
      const res = await fetch(`${service}/xrpc/${step.nsid}?${query(step.params)}`)
      const body = await res.json()
      if (res.status !== step.expect.status || body.error !== step.expect.error || typeof body.message !== 'string') {
        throw new Error(`got ${res.status} ${JSON.stringify(body)}`)
      }
      ok++
      continue
    }
    const [client, lex] = step.next ? [nextAgent, nextLexicons] : [agent, lexicons]
    const res = await client.call(step.nsid, step.params)
    if (step.expect !== 'ok') throw new Error(`expected ${JSON.stringify(step.expect)}, got success`)
    lex.assertValidXrpcOutput(step.nsid, res.data)
    ok++
  } catch (e) {
    if (step.expect !== 'ok' && e.status === step.expect.status && e.error === step.expect.error && typeof e.message === 'string') {
      ok++
      continue
    }
    failures.push(`${label}\n  expected ${JSON.stringify(step.expect)}\n  ${e.name}: status=${e.status} error=${e.error} ${e.message}\n  ${e.cause?.message ?? ''}`)
  }
}

console.log(`lexicon validation: ${ok} of ${plan.length} calls as expected`)
for (const f of failures) console.error(`FAIL ${f}`)
process.exit(failures.length === 0 && ok > 0 ? 0 : 1)

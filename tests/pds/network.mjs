// Starts a real PDS and PLC directory on 127.0.0.1 (@atproto/dev-env, no AppView), creates the
// accounts named on the command line (handles), each with three posts, the first following the
// others, prints one JSON line {"plc", "pds", "accounts": [{"handle", "did", "password"}]},
// and stops when stdin closes.
// Usage: node network.mjs alice.test bob.test
import { TestNetworkNoAppView } from '@atproto/dev-env'

const net = await TestNetworkNoAppView.create({})
const accounts = []
for (const handle of process.argv.slice(2)) {
  const agent = net.pds.getClient()
  const name = handle.split('.')[0]
  await agent.createAccount({ email: `${name}@test.invalid`, handle, password: `${name}-pass` })
  for (let i = 1; i <= 3; i++) await agent.post({ text: `post ${i} by ${handle}` })
  accounts.push({ handle, did: agent.session.did, password: `${name}-pass`, agent })
}
for (const other of accounts.slice(1)) await accounts[0].agent.follow(other.did)
for (const a of accounts) delete a.agent
console.log(JSON.stringify({ plc: net.plc.url, pds: net.pds.url, accounts }))
process.stdin.resume()
process.stdin.on('end', async () => {
  await net.close()
  process.exit(0)
})

// Writes a repository CAR (as com.atproto.sync.getRepo serves it) with N records to a file, for
// the backfill benchmark: 40% posts, 45% likes, 10% reposts, 5% follows, built and signed with
// @atproto/repo. Usage: node make-repo.mjs OUT.car N
import { writeFile } from 'node:fs/promises'
import { Repo, MemoryBlockstore, getFullRepo, WriteOpAction } from '@atproto/repo'
import { Secp256k1Keypair } from '@atproto/crypto'
import { TID } from '@atproto/common-web'

const [out, countArg] = process.argv.slice(2)
const count = Number(countArg ?? 100000)
const did = 'did:plc:benchbenchbenchbenchbenc'
const other = (i) => `did:plc:other${String(i % 5000).padStart(20, '0')}`
const subject = (i) => ({
  uri: `at://${other(i)}/app.bsky.feed.post/3k${String(i).padStart(11, 'a').slice(0, 11)}`,
  cid: 'bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm',
})
const start = Date.parse('2024-01-01T00:00:00Z')
const writes = []
let tid
for (let i = 0; i < count; i++) {
  tid = TID.nextStr(tid)
  const createdAt = new Date(start + i * 60000).toISOString()
  const r = i % 20
  let collection, record
  if (r < 8) {
    collection = 'app.bsky.feed.post'
    record = { $type: collection, text: `benchmark post number ${i}, with a few words of text`, createdAt, langs: ['en'] }
  } else if (r < 17) {
    collection = 'app.bsky.feed.like'
    record = { $type: collection, subject: subject(i), createdAt }
  } else if (r < 19) {
    collection = 'app.bsky.feed.repost'
    record = { $type: collection, subject: subject(i), createdAt }
  } else {
    collection = 'app.bsky.graph.follow'
    record = { $type: collection, subject: other(i), createdAt }
  }
  writes.push({ action: WriteOpAction.Create, collection, rkey: tid, record })
}
const storage = new MemoryBlockstore()
const keypair = await Secp256k1Keypair.create()
const repo = await Repo.create(storage, did, keypair, writes)
const chunks = []
for await (const c of getFullRepo(storage, repo.cid)) chunks.push(c)
await writeFile(out, Buffer.concat(chunks))
console.log(JSON.stringify({ out, records: count, did }))

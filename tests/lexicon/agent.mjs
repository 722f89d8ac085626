// An AtpAgent (@atproto/api, which validates every response against the lexicons) whose
// service is Aerie. Prints one JSON line with what it saw; throws (exit 1) on any surprise.
// The session file is rewritten with the tokens in use.
// Usage:
//   node agent.mjs <aerie> login <identifier> <password>      → {"session": {...}}
//   node agent.mjs <aerie> scenario <session.json> <otherDid>  → {"posted", "deleted", ...}
//   node agent.mjs <aerie> concurrent <session.json> <n>       → {"created": n}
//   node agent.mjs <aerie> resume <session.json>               → {"did", "handle"}
//   node agent.mjs <aerie> logout <session.json>               → {"refreshAfterLogout": status}
import { AtpAgent } from '@atproto/api'
import { readFileSync, writeFileSync } from 'node:fs'

const [service, command, ...args] = process.argv.slice(2)
const agent = new AtpAgent({ service })

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`)
}

// Resuming refreshes the session (rotating its tokens): the file keeps the newest ones.
async function resume(path) {
  const session = JSON.parse(readFileSync(path, 'utf8'))
  await agent.resumeSession(session)
  check(agent.session?.did === session.did, 'resumed')
  writeFileSync(path, JSON.stringify(agent.session))
  return agent.session
}

const commands = {
  async login(identifier, password) {
    await agent.login({ identifier, password })
    const me = await agent.com.atproto.server.getSession()
    check(me.data.did === agent.session.did, 'getSession is the logged-in user')
    // Aerie issues its own tokens, JWTs shaped like a PDS's, for its own DID.
    const claims = JSON.parse(Buffer.from(agent.session.accessJwt.split('.')[1], 'base64url'))
    const aerieDid = `did:web:${new URL(service).host.replace(':', '%3A')}`
    check(claims.aud === aerieDid && claims.sub === me.data.did, `Aerie issues its own tokens: ${JSON.stringify(claims)}`)
    check(claims.scope === 'com.atproto.appPass' && claims.exp > claims.iat, 'an app-password access token')
    return { session: agent.session }
  },

  async scenario(path, other) {
    const { did } = await resume(path)
    // Post, then read it back from Aerie at once.
    const post = await agent.post({ text: 'hello from aerie' })
    const got = await agent.getPosts({ uris: [post.uri] })
    check(got.data.posts.length === 1 && got.data.posts[0].record.text === 'hello from aerie', 'post visible at once')
    // Reply, like, repost, follow.
    const parent = { uri: post.uri, cid: post.cid }
    const reply = await agent.post({ text: 'a reply', reply: { root: parent, parent } })
    await agent.like(post.uri, post.cid)
    await agent.repost(post.uri, post.cid)
    const follow = await agent.follow(other)
    const thread = await agent.getPostThread({ uri: post.uri })
    const root = thread.data.thread
    check(root.post.likeCount === 1, `likeCount 1, got ${root.post.likeCount}`)
    check(root.post.repostCount === 1, `repostCount 1, got ${root.post.repostCount}`)
    check(root.post.replyCount === 1, `replyCount 1, got ${root.post.replyCount}`)
    check(root.replies.length === 1 && root.replies[0].post.uri === reply.uri, 'reply in the thread')
    // The thread as the current app opens it (V2, flat): the anchor, then its reply.
    const v2 = await agent.app.bsky.unspecced.getPostThreadV2({ anchor: post.uri })
    check(v2.data.thread.map((i) => [i.uri, i.depth]).join() === [post.uri, 0, reply.uri, 1].join(), `V2 thread ${JSON.stringify(v2.data.thread)}`)
    check(v2.data.thread[0].value.post.likeCount === 1 && v2.data.thread[0].value.opThread, 'V2 anchor counted, in the OP thread')
    check(v2.data.hasOtherReplies === false, 'no other replies')
    const otherReplies = await agent.app.bsky.unspecced.getPostThreadOtherV2({ anchor: post.uri })
    check(otherReplies.data.thread.length === 0, 'no hidden replies')
    // Bookmarks and thread mutes are private, kept in Aerie; posts carry them as viewer state.
    await agent.app.bsky.bookmark.createBookmark({ uri: post.uri, cid: post.cid })
    await agent.app.bsky.bookmark.createBookmark({ uri: reply.uri, cid: reply.cid })
    const marks = await agent.app.bsky.bookmark.getBookmarks({ limit: 1 })
    check(marks.data.bookmarks.length === 1 && marks.data.bookmarks[0].subject.uri === reply.uri && marks.data.cursor, `newest bookmark first: ${JSON.stringify(marks.data)}`)
    const more = await agent.app.bsky.bookmark.getBookmarks({ cursor: marks.data.cursor })
    check(more.data.bookmarks.length === 1 && more.data.bookmarks[0].item.uri === post.uri, 'the next page')
    await agent.app.bsky.graph.muteThread({ root: post.uri })
    let viewed = (await agent.getPosts({ uris: [reply.uri] })).data.posts[0].viewer
    check(viewed.bookmarked === true && viewed.threadMuted === true, `viewer state ${JSON.stringify(viewed)}`)
    await agent.app.bsky.bookmark.deleteBookmark({ uri: reply.uri })
    await agent.app.bsky.graph.unmuteThread({ root: post.uri })
    viewed = (await agent.getPosts({ uris: [reply.uri] })).data.posts[0].viewer
    check(viewed.bookmarked === false && viewed.threadMuted === false, `viewer state after ${JSON.stringify(viewed)}`)
    check((await agent.app.bsky.bookmark.getBookmarks({})).data.bookmarks.length === 1, 'one bookmark left')
    // Drafts: private, newest first, updated in place, deleted.
    const d1 = await agent.app.bsky.draft.createDraft({ draft: { posts: [{ text: 'first draft' }] } })
    const d2 = await agent.app.bsky.draft.createDraft({ draft: { posts: [{ text: 'second draft' }, { text: 'and its reply' }], langs: ['en'] } })
    await agent.app.bsky.draft.updateDraft({ draft: { id: d1.data.id, draft: { posts: [{ text: 'first, revised' }] } } })
    let drafts = (await agent.app.bsky.draft.getDrafts({})).data.drafts
    check(drafts.map((d) => d.id).join() === [d2.data.id, d1.data.id].join(), `drafts newest first: ${JSON.stringify(drafts)}`)
    check(drafts[1].draft.posts[0].text === 'first, revised' && drafts[0].draft.posts.length === 2, 'drafts kept as sent')
    await agent.app.bsky.draft.deleteDraft({ id: d2.data.id })
    drafts = (await agent.app.bsky.draft.getDrafts({})).data.drafts
    check(drafts.length === 1 && drafts[0].id === d1.data.id, 'one draft left')
    // Notification preferences: defaults, then one kind changed.
    const prefs0 = await agent.app.bsky.notification.getPreferences({})
    check(prefs0.data.preferences.like.list === true && prefs0.data.preferences.like.include === 'all', 'default preferences')
    const prefs1 = await agent.app.bsky.notification.putPreferencesV2({ like: { include: 'follows', list: true, push: false } })
    check(prefs1.data.preferences.like.include === 'follows' && prefs1.data.preferences.reply.include === 'all', 'one kind changed')
    await agent.app.bsky.notification.putPreferencesV2({ like: { include: 'all', list: true, push: true } })
    // The rest of the app's cold start that Aerie answers itself.
    const config = await agent.app.bsky.unspecced.getConfig()
    check(config.data.checkEmailConfirmed === false, 'getConfig')
    const age = await agent.app.bsky.ageassurance.getState({ countryCode: 'US' })
    check(age.data.state.status === 'unknown' && age.data.state.access === 'unknown', 'age assurance state')
    const refused = await agent.app.bsky.contact.getSyncStatus({}).then(() => null, (e) => e)
    check(refused?.status === 400 && refused.error === 'MethodNotImplemented', `contact import refused: ${refused}`)
    const follows = await agent.app.bsky.graph.getFollows({ actor: did })
    check(follows.data.follows.some((f) => f.did === other), 'follow listed')
    // Likes are listed for their author.
    const likes = await agent.app.bsky.feed.getActorLikes({ actor: did })
    check(likes.data.feed.some((i) => i.post.uri === post.uri), 'getActorLikes lists the liked post')
    const known = await agent.app.bsky.graph.getKnownFollowers({ actor: other })
    check(Array.isArray(known.data.followers), 'getKnownFollowers answers')
    // Viewer state on posts and profiles.
    check(root.post.viewer?.like?.startsWith(`at://${did}/app.bsky.feed.like/`), 'viewer.like')
    check(root.post.viewer?.repost?.startsWith(`at://${did}/app.bsky.feed.repost/`), 'viewer.repost')
    const them = await agent.getProfile({ actor: other })
    check(them.data.viewer?.following === follow.uri, 'viewer.following')
    check(them.data.viewer?.muted === false, 'not muted')
    const rel = await agent.app.bsky.graph.getRelationships({ actor: did, others: [other] })
    check(rel.data.relationships[0].following === follow.uri, 'relationship')
    // Mutes stay in Aerie.
    await agent.mute(other)
    const mutes = await agent.app.bsky.graph.getMutes()
    check(mutes.data.mutes.some((m) => m.did === other), 'muted')
    check((await agent.getProfile({ actor: other })).data.viewer.muted === true, 'viewer.muted')
    await agent.unmute(other)
    check((await agent.app.bsky.graph.getMutes()).data.mutes.length === 0, 'unmuted')
    // Preferences live on the PDS.
    await agent.app.bsky.actor.putPreferences({
      preferences: [{ $type: 'app.bsky.actor.defs#adultContentPref', enabled: true }],
    })
    const prefs = await agent.app.bsky.actor.getPreferences()
    check(prefs.data.preferences.some((p) => p.$type === 'app.bsky.actor.defs#adultContentPref' && p.enabled), 'preferences')
    // applyWrites: two posts in one commit, then putRecord (profile).
    const batch = await agent.com.atproto.repo.applyWrites({
      repo: did,
      writes: [1, 2].map((i) => ({
        $type: 'com.atproto.repo.applyWrites#create',
        collection: 'app.bsky.feed.post',
        value: { $type: 'app.bsky.feed.post', text: `batch ${i}`, createdAt: new Date().toISOString() },
      })),
    })
    check(batch.data.results.length === 2, 'two results')
    await agent.com.atproto.repo.putRecord({
      repo: did,
      collection: 'app.bsky.actor.profile',
      rkey: 'self',
      record: { $type: 'app.bsky.actor.profile', displayName: 'Alice via Aerie' },
    })
    const profile = await agent.getProfile({ actor: did })
    check(profile.data.displayName === 'Alice via Aerie', 'profile updated at once')
    // Delete the post: gone from Aerie at once.
    await agent.deletePost(post.uri)
    const after = await agent.getPosts({ uris: [post.uri] })
    check(after.data.posts.length === 0, 'deleted post gone')
    const feed = await agent.getAuthorFeed({ actor: did, limit: 100 })
    const texts = feed.data.feed.map((i) => i.post.record.text)
    check(texts.includes('batch 1') && texts.includes('batch 2') && texts.includes('a reply'), `feed has the writes: ${texts}`)
    // A block shows in getBlocks and on the profile.
    const block = await agent.app.bsky.graph.block.create(
      { repo: did },
      { subject: other, createdAt: new Date().toISOString() },
    )
    const blocks = await agent.app.bsky.graph.getBlocks()
    check(blocks.data.blocks.some((b) => b.did === other), 'blocked')
    check((await agent.getProfile({ actor: other })).data.viewer.blocking === block.uri, 'viewer.blocking')
    try {
      await agent.getAuthorFeed({ actor: other })
      check(false, 'a blocked author feed is refused')
    } catch (e) {
      check(e.error === 'BlockedActor', `BlockedActor, got ${e.error}`)
    }
    // A blob goes through to the PDS.
    const blob = await agent.uploadBlob(new Uint8Array([137, 80, 78, 71, 1, 2, 3]), { encoding: 'image/png' })
    check(blob.data.blob.size === 7, 'blob uploaded')
    return { posted: post.uri, deleted: post.uri, reply: reply.uri, follow: follow.uri, texts }
  },

  async concurrent(path, n) {
    await resume(path)
    const results = await Promise.all(
      Array.from({ length: Number(n) }, (_, i) => agent.post({ text: `concurrent ${i}` })),
    )
    check(new Set(results.map((r) => r.uri)).size === Number(n), 'all created')
    return { created: results.length }
  },

  async resume(path) {
    await resume(path)
    const me = await agent.com.atproto.server.getSession()
    return { did: me.data.did, handle: me.data.handle }
  },

  async logout(path) {
    const session = await resume(path)
    await agent.logout()
    const res = await fetch(`${service}/xrpc/com.atproto.server.refreshSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.refreshJwt}` },
    })
    return { refreshAfterLogout: res.status }
  },
}

console.log(JSON.stringify(await commands[command](...args)))

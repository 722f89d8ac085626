//! Point lookups of who did what to what, for viewer state: a local user's like or repost of
//! a post, and follows by or of a local user (`following` / `followedBy`). Key:
//! `kind · actor aid · subject · rkey` → –, kept only where a local user is one end, and filled
//! in for a user's stored records when they become local.

use super::keys;
use super::write::Tx;
use super::{Engine, Ks, KvStore};
use crate::facts::{self, nsid, Facts};
use crate::model::{RecordId, Relation};
use crate::Result;

fn tag(kind: Relation) -> u8 {
    match kind {
        Relation::Like => 1,
        Relation::Repost => 2,
        Relation::Follow => 3,
    }
}

impl<E: Engine> Tx<'_, E> {
    /// The relation key of one record, when it has one (`subject` as `keys::subject` or an aid).
    fn relation_key(&mut self, id: &RecordId, aid: u64, facts: &Facts) -> Result<Option<Vec<u8>>> {
        let (kind, subject) = match facts {
            Facts::Like(s) if self.local(&id.did)? => (Relation::Like, self.subject_key(s)?),
            Facts::Repost(s) if self.local(&id.did)? => (Relation::Repost, self.subject_key(s)?),
            Facts::Follow(d) if self.local(&id.did)? || self.local(d)? => {
                (Relation::Follow, self.aid(d)?.to_be_bytes().to_vec())
            }
            _ => return Ok(None),
        };
        let mut k = vec![tag(kind)];
        k.extend_from_slice(&aid.to_be_bytes());
        k.extend_from_slice(&subject);
        k.extend_from_slice(&keys::rkey(&id.rkey));
        Ok(Some(k))
    }

    /// Adds or removes one record's relation entry.
    pub(super) fn relate(
        &mut self,
        id: &RecordId,
        aid: u64,
        facts: &Facts,
        add: bool,
    ) -> Result<()> {
        if let Some(k) = self.relation_key(id, aid, facts)? {
            self.set(Ks::Relations, k, vec![], add);
        }
        Ok(())
    }

    /// A new local user: their stored likes, reposts and follows, and follows of them.
    pub(super) fn relate_new_local(&mut self, did: &str) -> Result<()> {
        let aid = self.aid(did)?;
        for collection in [nsid::LIKE, nsid::REPOST, nsid::FOLLOW] {
            let mut prefix = aid.to_be_bytes().to_vec();
            keys::push_collection(&mut prefix, collection);
            let rows = self
                .store
                .engine
                .scan_asc(Ks::Records, &prefix, None, usize::MAX)?;
            for (k, v) in rows {
                let Some(live) = super::row::Row::decode(&v)?.visible() else {
                    continue;
                };
                let rkey = keys::read_rkey(&k[prefix.len()..]);
                let id = RecordId::new(did, collection, &rkey);
                let (value, _) = super::compact::rebuild(self, collection, &live.body)?;
                let f = facts::derive(collection, &value);
                self.relate(&id, aid, &f, true)?;
            }
        }
        let rows =
            self.store
                .engine
                .scan_asc(Ks::Followers, &aid.to_be_bytes(), None, usize::MAX)?;
        for (k, _) in rows {
            let (Some(follower), Some(rkey)) = (k.get(16..).and_then(keys::read_aid), k.get(24..))
            else {
                continue;
            };
            let mut key = vec![tag(Relation::Follow)];
            key.extend_from_slice(&follower.to_be_bytes());
            key.extend_from_slice(&aid.to_be_bytes());
            key.extend_from_slice(rkey);
            self.set(Ks::Relations, key, vec![], true);
        }
        Ok(())
    }

    fn subject_key(&mut self, s: &RecordId) -> Result<Vec<u8>> {
        let aid = self.aid(&s.did)?;
        Ok(keys::subject(aid, &s.collection, &s.rkey))
    }
}

impl<E: Engine> KvStore<E> {
    /// The record by which `actor` relates to `subject` (an AT-URI for likes and reposts, a DID
    /// for follows), if any.
    pub(super) fn relation_record(
        &self,
        kind: Relation,
        actor: &str,
        subject: &str,
    ) -> Result<Option<RecordId>> {
        let Some(aid) = self.lookup_aid(actor)? else {
            return Ok(None);
        };
        let subject_key = match kind {
            Relation::Follow => match self.lookup_aid(subject)? {
                Some(a) => a.to_be_bytes().to_vec(),
                None => return Ok(None),
            },
            _ => {
                let Some(id) = RecordId::parse_uri(subject) else {
                    return Ok(None);
                };
                match self.lookup_aid(&id.did)? {
                    Some(a) => keys::subject(a, &id.collection, &id.rkey),
                    None => return Ok(None),
                }
            }
        };
        let mut prefix = vec![tag(kind)];
        prefix.extend_from_slice(&aid.to_be_bytes());
        prefix.extend_from_slice(&subject_key);
        let rows = self.engine.scan_asc(Ks::Relations, &prefix, None, 1)?;
        let collection = match kind {
            Relation::Like => nsid::LIKE,
            Relation::Repost => nsid::REPOST,
            Relation::Follow => nsid::FOLLOW,
        };
        Ok(rows
            .first()
            .map(|(k, _)| RecordId::new(actor, collection, &keys::read_rkey(&k[prefix.len()..]))))
    }
}

//! Firehose frames: a DAG-CBOR header and body through the decoder ingest uses, either as raw
//! bytes (first byte even) or built from the input with a CAR of real blocks (first byte odd),
//! so commits reach the record checks. Every event must meet `check_event`; a commit's events
//! carry its `seq`.
#![no_main]

use aerie::ingest::event::Event;
use aerie::ingest::firehose::Firehose;
use aerie::ingest::socket::{Decoder, Frame};
use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = match mode % 2 {
        0 => rest.to_vec(),
        _ => match aerie_fuzz::frame(&mut Unstructured::new(rest)) {
            Ok(b) => b,
            Err(_) => return,
        },
    };
    let mut source = Firehose::new(&Default::default(), aerie_fuzz::filter(), Default::default());
    let mut out: Vec<Event> = Vec::new();
    let result = source.decode(Frame::Binary(&bytes), &mut out);
    assert!(out.len() <= bytes.len(), "{} events from {} bytes", out.len(), bytes.len());
    for ev in &out {
        aerie_fuzz::check_event(ev, 1 << 16);
    }
    if let Err(why) = result {
        assert!(why.len() <= aerie_fuzz::MAX_REASON, "{} bytes of reason", why.len());
    }
    assert!(source.decode(Frame::Text("{}"), &mut out).is_err());
});

//! Jetstream frames: any bytes through the parser ingest uses (JSON → a checked operation).
//! Accepted events must meet `check_event`, a record must be the input's own bytes, and a
//! skip's reason stays short (it is logged).
#![no_main]

use aerie::ingest::event;
use aerie_storage::Op;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static FILTER: OnceLock<aerie::gate::change::Filter> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let filter = FILTER.get_or_init(aerie_fuzz::filter);
    match event::parse(data, filter) {
        Ok(ev) => {
            assert!(ev.time_us > 0, "position {}", ev.time_us);
            aerie_fuzz::check_event(&ev, 1 << 16);
            if let Some(Op::Put { record, .. }) = &ev.op {
                assert!(
                    data.windows(record.len()).any(|w| w == record.as_slice()),
                    "a record is the frame's own bytes"
                );
            }
        }
        Err(skip) => {
            let why = skip.to_string();
            assert!(why.len() <= aerie_fuzz::MAX_REASON, "{} bytes of reason", why.len());
        }
    }
});

//! Background work at a lower CPU priority than requests: on a two-core machine, the search
//! index's merges yield to the threads answering people (a per-thread `nice` on Linux;
//! elsewhere nothing changes).

/// How much lower (the `nice` value).
const NICE: i32 = 10;

/// Lowers the priority of this process's threads whose names start with one of `prefixes`
/// (threads a library started, such as Tantivy's merge pool).
pub fn lower_threads_named(prefixes: &[&str]) {
    #[cfg(target_os = "linux")]
    {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return;
        };
        for task in tasks.flatten() {
            let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            let tid = task.file_name().to_str().and_then(|t| t.parse().ok());
            if let Some(tid) = tid.filter(|_| prefixes.iter().any(|p| name.starts_with(p))) {
                lower(tid);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = prefixes;
}

#[cfg(target_os = "linux")]
fn lower(tid: libc::pid_t) {
    // SAFETY: `setpriority` only reads its arguments; a thread that has exited makes it fail
    // with ESRCH, which is ignored (the priority is a hint).
    let r = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE) };
    if r != 0 {
        tracing::debug!(tid, "could not lower a background thread's priority");
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    /// The thread's nice value (field 19 of `/proc/thread-self/stat`).
    fn nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("stat");
        let after_name = &stat[stat.rfind(')').expect("name") + 2..];
        after_name
            .split(' ')
            .nth(16)
            .and_then(|n| n.parse().ok())
            .expect("nice")
    }

    #[test]
    fn threads_are_lowered_by_name() {
        let (started, wait_started) = std::sync::mpsc::channel();
        let (lowered, wait_lowered) = std::sync::mpsc::channel::<()>();
        let named = std::thread::Builder::new()
            .name("aerie-test-nice".into())
            .spawn(move || {
                started.send(nice()).expect("send");
                wait_lowered.recv().expect("lowered");
                nice()
            })
            .expect("spawn");
        let before = wait_started.recv().expect("started");
        super::lower_threads_named(&["aerie-test-nice"]);
        lowered.send(()).expect("send");
        assert_eq!(named.join().expect("named"), before.max(super::NICE as i64));
    }
}

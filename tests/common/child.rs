//! Child processes a test starts, owned by the test: killed and waited for when their guard
//! drops (the test ending, passed or panicking), and — through util-linux's `setpriv
//! --pdeathsig` — killed by the kernel when the thread that started them ends, so a test
//! process killed outright leaves no server behind either. Tests start their children from
//! the test's own thread, which lives as long as the test.

use std::path::Path;
use std::process::{Child, Command};

const SETPRIV: &str = "/usr/bin/setpriv";

/// A command for `program` that dies with the thread spawning it (where `setpriv` exists; the
/// process id is the program's own, `setpriv` execs it).
pub fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    if Path::new(SETPRIV).exists() {
        let mut cmd = Command::new(SETPRIV);
        cmd.args(["--pdeathsig", "KILL", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

/// A running child, killed and reaped when dropped.
pub struct Guarded(Child);

impl Guarded {
    /// Starts `cmd`.
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Guarded> {
        cmd.spawn().map(Guarded)
    }

    /// The process.
    pub fn child(&mut self) -> &mut Child {
        &mut self.0
    }

    /// Its process id.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        stop(&mut self.0);
    }
}

/// Kills `child` (when still running) and reaps it.
pub fn stop(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let _ = child.kill();
    }
    let _ = child.wait();
}

/// Whether process `pid` is still running (not gone, not a zombie waiting to be reaped).
pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // pid (comm) state ...: the state follows the last ')'.
        let state = stat.rsplit_once(')').map(|(_, rest)| rest.trim_start());
        !state.is_some_and(|s| s.starts_with('Z') || s.starts_with('X'))
    })
}

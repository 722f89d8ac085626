//! The dependency rules of ARCHITECTURE.md, checked against the code: every `use crate::…`
//! line, inline `crate::room::` path and `super::` path that climbs out of its room in
//! `src/**` (and `aerie::room` in `src/main.rs`) is an arrow between rooms, and none may be one
//! the document forbids; the store's writer methods are called only from the rooms it names;
//! the storage crate names nothing of Aerie.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One arrow found in the code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Arrow {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The rules read from ARCHITECTURE.md.
#[derive(Debug, Default)]
struct Rules {
    /// Documented room names.
    rooms: BTreeSet<String>,
    /// Forbidden (from, to) pairs, `*` expanded.
    forbidden: BTreeSet<(String, String)>,
    /// Store writer method → the rooms allowed to call it.
    writers: BTreeMap<String, BTreeSet<String>>,
}

fn section<'a>(md: &'a str, heading: &'a str) -> impl Iterator<Item = &'a str> {
    md.lines()
        .skip_while(move |l| l.trim() != heading)
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("- "))
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(|w| w.trim_matches('`'))
        .filter(|w| !w.is_empty())
}

fn parse_rules(md: &str) -> Result<Rules, String> {
    let mut r = Rules::default();
    for item in section(md, "## Rooms") {
        let name = item
            .split('`')
            .nth(1)
            .ok_or(format!("room without a name: {item}"))?;
        r.rooms.insert(name.to_string());
    }
    let known = |room: &str| match r.rooms.contains(room) {
        true => Ok(()),
        false => Err(format!(
            "ARCHITECTURE.md names an undocumented room {room:?}"
        )),
    };
    let mut forbidden = BTreeSet::new();
    for item in section(md, "## Arrows that must never exist") {
        let (from, to) = item
            .split_once('↛')
            .ok_or(format!("not an arrow rule: {item}"))?;
        let from = from.trim();
        known(from)?;
        let (to, except) = match to.split_once(" except ") {
            Some((to, except)) => (to, words(except).collect::<BTreeSet<_>>()),
            None => (to, BTreeSet::new()),
        };
        for room in except.iter() {
            known(room)?;
        }
        for target in words(to) {
            let targets: Vec<&str> = match target {
                "*" => r
                    .rooms
                    .iter()
                    .map(String::as_str)
                    .filter(|t| *t != from && !except.contains(t))
                    .collect(),
                t => {
                    known(t)?;
                    vec![t]
                }
            };
            for t in targets {
                forbidden.insert((from.to_string(), t.to_string()));
            }
        }
    }
    r.forbidden = forbidden;
    for item in section(md, "## Who writes the store") {
        let Some((method, rooms)) = item.split_once(':') else {
            continue;
        };
        let rooms: BTreeSet<String> = words(rooms).map(String::from).collect();
        for room in &rooms {
            known(room)?;
        }
        r.writers
            .insert(method.trim_matches('`').to_string(), rooms);
    }
    if r.forbidden.is_empty() || r.writers.is_empty() {
        return Err("ARCHITECTURE.md lists no forbidden arrows or no store writers".into());
    }
    Ok(r)
}

/// The room of a file under `src/`, and its module path.
fn module_of(file: &str) -> (String, Vec<String>) {
    let rel = file.strip_prefix("src/").unwrap_or(file);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut path: Vec<String> = rel.split('/').map(String::from).collect();
    if path.last().is_some_and(|l| l == "mod") {
        path.pop();
    }
    match path.first().map(String::as_str) {
        Some("lib") => ("lib".into(), Vec::new()),
        Some(room) => (room.to_string(), path),
        None => ("lib".into(), Vec::new()),
    }
}

/// The code of a line without its `//` comment (a `//` inside a string cuts it short, which
/// can only hide a path after a URL, never invent one).
fn code(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
    &s[..end]
}

/// The code of `lines` as one string (comments cut, lines in `skip` left empty), with the line
/// each byte is on.
fn code_text(lines: &[&str], skip: &BTreeSet<usize>) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut line_of = Vec::new();
    for (n, l) in lines.iter().enumerate() {
        let c = if skip.contains(&n) { "" } else { code(l) };
        text.push_str(c);
        text.push('\n');
        line_of.extend(std::iter::repeat_n(n, c.len() + 1));
    }
    (text, line_of)
}

/// Each `#[cfg(test)] mod …` block's lines (rustfmt closes it with `}` at its own indent).
fn test_lines(lines: &[&str]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "#[cfg(test)]" {
            let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
            let close = format!("{indent}}}");
            let end = (i + 1..lines.len())
                .find(|&j| lines[j] == close)
                .unwrap_or(lines.len() - 1);
            out.extend(i..=end);
            i = end;
        }
        i += 1;
    }
    out
}

/// The module path at each line: the file's, plus the inline `mod x {` blocks it is in.
fn module_paths(lines: &[&str], base: &[String]) -> Vec<Vec<String>> {
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        if stack.last().is_some_and(|(i, _)| *line == format!("{i}}}")) {
            stack.pop();
        }
        let mut path = base.to_vec();
        path.extend(stack.iter().map(|(_, m)| m.clone()));
        out.push(path);
        let decl = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        if let Some(rest) = decl.strip_prefix("mod ") {
            let name = ident_at(rest);
            if rest[name.len()..].trim() == "{" {
                stack.push((indent.to_string(), name.to_string()));
            }
        }
    }
    out
}

/// Every arrow out of `file` (its text given): `crate::` paths (`use` groups included),
/// `super::` paths that climb out of the room, and in `src/main.rs` `aerie::` paths.
fn arrows(file: &str, text: &str, lib_rooms: &BTreeSet<String>) -> Vec<Arrow> {
    let (room, base) = module_of(file);
    let lines: Vec<&str> = text.lines().collect();
    let paths = module_paths(&lines, &base);
    let (joined, line_of) = code_text(&lines, &BTreeSet::new());
    let target = |name: &str| match lib_rooms.contains(name) {
        true => name.to_string(),
        false => "lib".to_string(),
    };
    let mut out = Vec::new();
    let mut push = |at: usize, to: String| {
        if to != room {
            out.push(Arrow {
                file: file.to_string(),
                line: line_of[at] + 1,
                from: room.clone(),
                to,
            });
        }
    };
    let root = if room == "main" { "aerie::" } else { "crate::" };
    for (at, _) in joined.match_indices(root) {
        if joined[..at].ends_with(|c: char| is_ident(c) || c == '$') {
            continue;
        }
        let rest = &joined[at + root.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a::x, b::{y, z}}`: the first name of each top-level item.
            let (mut depth, mut start) = (0usize, 0usize);
            for (i, c) in group.char_indices() {
                let end = match c {
                    '{' => {
                        depth += 1;
                        false
                    }
                    '}' if depth > 0 => {
                        depth -= 1;
                        false
                    }
                    '}' => true,
                    ',' => depth == 0,
                    _ => false,
                };
                if end {
                    let item = group[start..i].trim_start();
                    if !item.is_empty() {
                        push(at + 1 + root.len() + i - item.len(), target(ident_at(item)));
                    }
                    if c == '}' {
                        break;
                    }
                    start = i + 1;
                }
            }
        } else {
            push(at, target(ident_at(rest)));
        }
    }
    for (at, _) in joined.match_indices("super::") {
        if joined[..at].ends_with(|c: char| is_ident(c) || c == ':') {
            continue;
        }
        let mut rest = &joined[at..];
        let mut path = paths[line_of[at]].clone();
        while let Some(r) = rest.strip_prefix("super::") {
            path.pop();
            rest = r;
        }
        let name = ident_at(rest);
        if path.is_empty() && lib_rooms.contains(name) {
            push(at, name.to_string());
        }
    }
    out
}

/// Calls of the store's writer methods outside the rooms allowed to make them (test modules
/// aside); an `apply` on a receiver named `scope` is the gate's, not the store's.
fn store_writes(
    file: &str,
    text: &str,
    writers: &BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let (room, _) = module_of(file);
    let lines: Vec<&str> = text.lines().collect();
    let (joined, line_of) = code_text(&lines, &test_lines(&lines));
    let mut out = Vec::new();
    for (method, allowed) in writers {
        if allowed.contains(&room) {
            continue;
        }
        for (at, _) in joined.match_indices(&format!(".{method}(")) {
            let before = joined[..at].trim_end();
            let receiver_start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
            if method == "apply" && &before[receiver_start..] == "scope" {
                continue;
            }
            out.push(format!(
                "{file}:{}: `.{method}(` writes the store outside {}",
                line_of[at] + 1,
                allowed.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The rooms `src/lib.rs` declares (`pub mod x;`).
fn lib_rooms(lib: &str) -> BTreeSet<String> {
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .filter_map(|l| l.strip_suffix(';'))
        .map(String::from)
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_code_keeps_the_rules_of_architecture_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = parse_rules(&read(&root.join("ARCHITECTURE.md"))).unwrap_or_else(|e| panic!("{e}"));
    let declared = lib_rooms(&read(&root.join("src/lib.rs")));
    let undocumented: Vec<_> = declared.difference(&rules.rooms).collect();
    assert!(
        undocumented.is_empty(),
        "rooms in src/lib.rs missing from ARCHITECTURE.md's list: {undocumented:?}"
    );
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    assert!(
        files.len() > 20,
        "found only {} files under src/",
        files.len()
    );
    let mut problems = Vec::new();
    let mut arrows_seen = 0;
    for path in &files {
        let file = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let text = read(path);
        for a in arrows(&file, &text, &declared) {
            arrows_seen += 1;
            if !rules.forbidden.contains(&(a.from.clone(), a.to.clone())) {
                continue;
            }
            problems.push(format!(
                "{}:{}: {} → {} (ARCHITECTURE.md: {} ↛ {})",
                a.file, a.line, a.from, a.to, a.from, a.to
            ));
        }
        problems.extend(store_writes(&file, &text, &rules.writers));
    }
    assert!(
        arrows_seen > 100,
        "only {arrows_seen} arrows found: is the scan broken?"
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_storage_crate_knows_nothing_of_aerie() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("storage");
    let manifest = read(&root.join("Cargo.toml"));
    let deps: Vec<&str> = manifest
        .lines()
        .filter(|l| l.trim_start().starts_with("aerie ") || l.trim_start().starts_with("aerie="))
        .collect();
    assert!(
        deps.is_empty(),
        "storage/Cargo.toml depends on aerie: {deps:?}"
    );
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(!files.is_empty(), "no storage sources found");
    let mut problems = Vec::new();
    for path in &files {
        for (n, line) in read(path).lines().enumerate() {
            let c = code(line);
            let hit = c
                .match_indices("aerie::")
                .any(|(at, _)| !c[..at].ends_with(|ch: char| is_ident(ch)));
            if hit {
                problems.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The checker itself: it must see what it is meant to see, and only that.
#[test]
fn the_checker_finds_forbidden_arrows_and_store_writes() {
    let md = "## Rooms\n- `xrpc` — a\n- `web` — b\n- `gate` — c\n- `lib` — d\n- `util` — e\n\n\
              ## Arrows that must never exist\n- xrpc ↛ web\n- gate ↛ * except util\n\n\
              ## Who writes the store\n- `apply`: gate\n";
    let rules = parse_rules(md).expect("rules");
    assert!(rules.forbidden.contains(&("gate".into(), "xrpc".into())));
    assert!(rules.forbidden.contains(&("gate".into(), "lib".into())));
    assert!(!rules.forbidden.contains(&("gate".into(), "util".into())));
    assert!(parse_rules(&md.replace("xrpc ↛ web", "xrpc ↛ wbe")).is_err());

    let rooms: BTreeSet<String> = ["xrpc", "web", "gate", "util"].map(String::from).into();
    let src = "//! crate::web in a comment\n\
               use crate::{util::x,\n    web::y};\n\
               use crate::AppState;\n\
               fn f() { let _ = crate::web::page(); } // crate::web again\n\
               fn g() { super::super::web::z(); super::sibling(); }\n\
               mod inner {\n    use super::super::super::super::web;\n}\n";
    let found: Vec<(usize, String)> = arrows("src/xrpc/a/b.rs", src, &rooms)
        .into_iter()
        .map(|a| (a.line, a.to))
        .collect();
    assert_eq!(
        found,
        vec![
            (2, "util".to_string()),
            (3, "web".to_string()),
            (4, "lib".to_string()),
            (5, "web".to_string()),
            (8, "web".to_string()),
        ],
        "comments and in-room super paths are not arrows; the rest are"
    );
    assert!(arrows("src/xrpc/a.rs", "fn f() { super::sibling(); }", &rooms).is_empty());
    assert_eq!(
        arrows("src/main.rs", "use aerie::web::x;", &rooms)[0].to,
        "web"
    );

    let writes = "fn a(s: &S) {\n    state.store\n        .apply(&ops, None);\n    scope.apply(&*store, ops, None);\n}\n\
                  #[cfg(test)]\nmod tests {\n    fn t() { store.apply(&[], None); }\n}\n";
    let found = store_writes("src/xrpc/w.rs", writes, &rules.writers);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("src/xrpc/w.rs:3:"), "{found:?}");
    assert!(store_writes("src/gate/w.rs", writes, &rules.writers).is_empty());
}

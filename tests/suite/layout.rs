//! The layers of the crate and their dependency rules (`docs/architecture.md`), checked by reading the source.
//!
//! Every file under `src/` is tokenized (comments, strings and char literals dropped); its `use` declarations
//! (grouped `use crate::{a, b::{c, d}}` trees included) and the `crate::`, `super::` and `self::` paths in its code are
//! resolved to the file they point at; re-exports in `src/lib.rs` (`pub use` of a module) are resolved through its
//! `pub use` lines. Then:
//! each file may import only the layers its own layer allows, two finer rules hold inside `sim` and `observe`, and
//! no import cycle joins files other than a module and its own descendants.
//!
//! `KNOWN_VIOLATIONS` is empty and should stay so: it exists for a future move of the layout done in steps, during
//! which it names what is still violated (every entry must be a real violation, so the list can only shrink).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// (file, imported module) pairs still violated while a move of the layout is under way; empty otherwise.
#[rustfmt::skip]
const KNOWN_VIOLATIONS: &[(&str, &str)] = &[
];

/// What each top-level module may import besides itself. `lib.rs` may import everything; the command line (`src/cli`)
/// is a binary crate that sees only the library's public API.
const LAYERS: &[(&str, &[&str])] = &[
    ("kernel", &[]),
    ("vocab", &[]),
    ("aws", &["kernel", "vocab"]),
    ("scenario", &["vocab"]),
    ("template", &["scenario", "aws", "vocab", "kernel"]),
    ("model", &["template", "scenario", "aws", "vocab", "kernel"]),
    ("trace", &["model", "vocab", "kernel", "aws"]),
    ("handler", &["model", "vocab", "kernel", "aws"]),
    ("sim", &["handler", "kernel", "model", "trace", "aws", "vocab"]),
    ("observe", &["trace", "model", "aws", "vocab", "kernel"]),
    ("run", &["sim", "handler", "observe", "trace", "model", "template", "scenario", "aws", "vocab", "kernel"]),
    ("report", &["run", "observe", "sim", "handler", "trace", "model", "template", "scenario", "aws", "vocab", "kernel"]),
    ("campaign", &["run", "report", "observe", "sim", "handler", "trace", "model", "template", "scenario", "aws", "vocab", "kernel"]),
];

/// Finer rules: files whose module path starts with the first prefix never import modules starting with the second.
/// A prefix ending in `*` matches any module name that starts with it (`sim::lambda*`: `sim::lambda`,
/// `sim::lambda_async`, and their children).
const INNER_RULES: &[(&str, &str)] = &[
    ("sim::lambda*", "sim::esm*"),
    ("sim::lambda*", "sim::fanout"),
    ("sim::lambda*", "sim::firehose"),
    ("observe::monitor", "observe::metrics"),
];

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Path, // `::`
    Open,
    Close,
    Semi,
    Comma,
    Star,
    Other(char),
}

/// Tokens of a Rust source with their 1-based line; comments, string, byte-string, raw-string and char literals are
/// dropped (a literal becomes `Other('"')`).
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let c: Vec<char> = src.chars().collect();
    let (mut i, mut line, mut out) = (0, 1, Vec::new());
    let skip_to = |i: &mut usize, line: &mut usize, end: usize| {
        while *i < end.min(c.len()) {
            if c[*i] == '\n' {
                *line += 1;
            }
            *i += 1;
        }
    };
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied().unwrap_or('\0');
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && next == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && next == '*' {
            let (mut depth, mut j) = (0, i);
            while j < c.len() {
                if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            skip_to(&mut i, &mut line, j);
        } else if let Some(end) = raw_string_end(&c, i) {
            skip_to(&mut i, &mut line, end);
            out.push((Tok::Other('"'), line));
        } else if ch == '"' || (ch == 'b' && next == '"') {
            let mut j = if ch == 'b' { i + 2 } else { i + 1 };
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            skip_to(&mut i, &mut line, j + 1);
            out.push((Tok::Other('"'), line));
        } else if ch == '\'' || (ch == 'b' && next == '\'') {
            let s = if ch == 'b' { i + 1 } else { i };
            if c.get(s + 1) == Some(&'\\') {
                let mut j = s + 3;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                i = j + 1;
            } else if c.get(s + 2) == Some(&'\'') {
                i = s + 3;
            } else {
                i = s + 1; // a lifetime or a label
            }
            out.push((Tok::Other('\''), line));
        } else if ch.is_alphanumeric() || ch == '_' {
            let s = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let word: String = c[s..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches("r#").to_string()), line));
        } else {
            i += 1;
            let t = match ch {
                ':' if next == ':' => {
                    i += 1;
                    Tok::Path
                }
                '{' => Tok::Open,
                '}' => Tok::Close,
                ';' => Tok::Semi,
                ',' => Tok::Comma,
                '*' => Tok::Star,
                other => Tok::Other(other),
            };
            out.push((t, line));
        }
    }
    out
}

/// The end (exclusive) of a raw (byte) string literal starting at `i`, if one starts there.
fn raw_string_end(c: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') || (i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_')) {
        return None;
    }
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"' && (0..hashes).all(|k| c.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// One path a file mentions: its segments as written, the inline modules it sits in, and its line.
#[derive(Debug, Clone)]
struct Mention {
    segments: Vec<String>,
    inline: Vec<String>,
    line: usize,
    in_use: bool,
}

/// Expands the use tree starting at `toks[*i]` into full paths (prefix included), advancing `*i` past it.
fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(Vec<String>, usize)>) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                *i += 2; // `as name`: the alias does not change what is imported
            }
            Some(Tok::Ident(w)) => {
                if w != "self" || path.is_empty() {
                    path.push(w.clone());
                }
                *i += 1;
            }
            Some(Tok::Path) => *i += 1,
            Some(Tok::Star) => {
                *i += 1;
            }
            Some(Tok::Open) => {
                *i += 1;
                while !matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Close) | None) {
                    use_tree(toks, i, path.clone(), out);
                    if matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Comma)) {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => {
                let line = toks.get(i.saturating_sub(1)).map_or(0, |t| t.1);
                out.push((path, line));
                return;
            }
        }
    }
}

/// The `use` trees and the `crate::`/`super::`/`self::` paths of one file, with the inline modules they sit in.
fn mentions(src: &str) -> Vec<Mention> {
    let toks = tokenize(src);
    let (mut out, mut depth, mut inline): (Vec<Mention>, usize, Vec<(String, usize)>) = (Vec::new(), 0, Vec::new());
    let mut i = 0;
    while i < toks.len() {
        let here: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        match &toks[i].0 {
            Tok::Open => depth += 1,
            Tok::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Ident(w) if w == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Open, _))) = (toks.get(i + 1), toks.get(i + 2)) {
                    inline.push((name.clone(), depth + 1));
                }
            }
            Tok::Ident(w)
                if w == "use"
                    && (i == 0
                        || matches!(toks[i - 1].0, Tok::Semi | Tok::Open | Tok::Close | Tok::Other(']') | Tok::Other(')'))
                        || toks[i - 1].0 == Tok::Ident("pub".into())) =>
            {
                let mut paths = Vec::new();
                i += 1;
                if matches!(toks.get(i).map(|t| &t.0), Some(Tok::Path)) {
                    i += 1; // `use ::std::...`
                }
                use_tree(&toks, &mut i, Vec::new(), &mut paths);
                for (segments, line) in paths {
                    out.push(Mention { segments, inline: here.clone(), line, in_use: true });
                }
                continue;
            }
            Tok::Ident(w)
                if (w == "crate" || w == "super" || w == "self")
                    && matches!(toks.get(i + 1).map(|t| &t.0), Some(Tok::Path))
                    && !(i > 0 && toks[i - 1].0 == Tok::Path) =>
            {
                let line = toks[i].1;
                let mut segments = vec![w.clone()];
                let mut j = i + 1;
                while let (Some((Tok::Path, _)), Some((Tok::Ident(s), _))) = (toks.get(j), toks.get(j + 1)) {
                    segments.push(s.clone());
                    j += 2;
                }
                out.push(Mention { segments, inline: here.clone(), line, in_use: false });
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The crate's files by module path (`["sim", "esm"]` for `src/sim/esm.rs`; `[]` for `src/lib.rs`), and the
/// root aliases of `src/lib.rs` (`time` → `["kernel", "time"]`).
struct Crate {
    root: PathBuf,
    files: BTreeMap<Vec<String>, PathBuf>,
    aliases: BTreeMap<String, Vec<String>>,
}

impl Crate {
    fn load(root: &Path) -> Crate {
        let mut files = BTreeMap::new();
        let mut stack = vec![root.join("src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    // src/cli is the command line, a binary crate of its own over the library's public API
                    if path != root.join("src/cli") {
                        stack.push(path);
                    }
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(root.join("src")).unwrap().with_extension("");
                    let mut module: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
                    if module == ["lib"] || module.last().is_some_and(|l| l == "mod") {
                        module.pop();
                    }
                    if module != ["main"] {
                        files.insert(module, path);
                    }
                }
            }
        }
        let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
        let mut aliases = BTreeMap::new();
        let toks = tokenize(&lib);
        for i in 0..toks.len() {
            if toks[i].0 == Tok::Ident("pub".into()) && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Ident("use".into())) {
                let mut j = i + 2;
                let mut paths = Vec::new();
                use_tree_named(&toks, &mut j, Vec::new(), &mut paths);
                for (name, target) in paths {
                    aliases.insert(name, target);
                }
            }
        }
        Crate { root: root.to_path_buf(), files, aliases }
    }

    fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap().to_string_lossy().replace('\\', "/")
    }

    /// The file a path mentioned in the module `at` (file module plus inline modules) points at, if it is in the crate.
    fn resolve(&self, at: &[String], segments: &[String]) -> Option<Vec<String>> {
        let mut path: Vec<String> = match segments.first().map(String::as_str) {
            Some("crate") => segments[1..].to_vec(),
            Some("super") | Some("self") => {
                let mut base = at.to_vec();
                let mut k = 0;
                while k < segments.len() && (segments[k] == "super" || segments[k] == "self") {
                    if segments[k] == "super" {
                        base.pop()?;
                    }
                    k += 1;
                }
                base.extend_from_slice(&segments[k..]);
                base
            }
            Some(first) => {
                // 2018 paths: a child module of the current module, else an external crate
                let mut child = at.to_vec();
                child.push(first.to_string());
                if !self.files.contains_key(&child) {
                    return None;
                }
                child.extend_from_slice(&segments[1..]);
                child
            }
            None => return None,
        };
        for _ in 0..8 {
            match path.first() {
                Some(first) if !self.files.contains_key(&vec![first.clone()]) => {
                    let target = self.aliases.get(first)?;
                    path = target.iter().cloned().chain(path[1..].iter().cloned()).collect();
                }
                _ => break,
            }
        }
        (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| self.files.contains_key(p))
    }
}

/// Like `use_tree`, but keeps the name each leaf is bound to (its alias, or its last segment).
fn use_tree_named(toks: &[(Tok, usize)], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    let mut path = prefix;
    loop {
        match toks.get(*i).map(|t| &t.0) {
            Some(Tok::Ident(w)) if w == "as" => {
                if let Some((Tok::Ident(name), _)) = toks.get(*i + 1) {
                    out.push((name.clone(), path.clone()));
                }
                *i += 2;
                return;
            }
            Some(Tok::Ident(w)) => {
                path.push(w.clone());
                *i += 1;
            }
            Some(Tok::Path) => *i += 1,
            Some(Tok::Open) => {
                *i += 1;
                while !matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Close) | None) {
                    use_tree_named(toks, i, path.clone(), out);
                    if matches!(toks.get(*i).map(|t| &t.0), Some(Tok::Comma)) {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            _ => {
                if let Some(name) = path.last() {
                    out.push((name.clone(), path.clone()));
                }
                return;
            }
        }
    }
}

fn prefix_matches(module: &[String], pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split("::").collect();
    module.len() >= parts.len()
        && parts.iter().zip(module).all(|(p, m)| match p.strip_suffix('*') {
            Some(stem) => m.starts_with(stem),
            None => p == m,
        })
}

/// Why importing `to` from `from` breaks a layer or inner rule, if it does.
fn rule_broken(from: &[String], to: &[String]) -> Option<String> {
    let (Some(a), Some(b)) = (from.first(), to.first()) else { return None };
    if a != b {
        let allowed = LAYERS.iter().find(|(l, _)| l == a).map(|(_, allow)| *allow);
        let Some(allowed) = allowed else {
            return Some(format!("`{a}` is not one of the layers of docs/architecture.md"));
        };
        if !allowed.contains(&b.as_str()) {
            return Some(format!("layer `{a}` may not import layer `{b}`"));
        }
    }
    INNER_RULES.iter().find(|(f, t)| prefix_matches(from, f) && prefix_matches(to, t)).map(|(f, t)| format!("`{f}` never imports `{t}`"))
}

/// The strongly connected components (with more than one file) of a graph, by Tarjan's algorithm.
fn cycles(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<BTreeSet<Vec<String>>> {
    struct State<'a> {
        edges: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'a Vec<String>, (usize, usize)>,
        stack: Vec<&'a Vec<String>>,
        on: BTreeSet<&'a Vec<String>>,
        out: Vec<BTreeSet<Vec<String>>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Vec<String>) {
        let n = s.index.len();
        s.index.insert(v, (n, n));
        s.stack.push(v);
        s.on.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.index[w].1.min(s.index[v].1);
                s.index.get_mut(v).unwrap().1 = low;
            } else if s.on.contains(w) {
                let low = s.index[w].0.min(s.index[v].1);
                s.index.get_mut(v).unwrap().1 = low;
            }
        }
        if s.index[v].0 == s.index[v].1 {
            let mut comp = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                s.on.remove(w);
                comp.insert(w.clone());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let mut s = State { edges, index: BTreeMap::new(), stack: Vec::new(), on: BTreeSet::new(), out: Vec::new() };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn layers_hold_and_no_import_cycle_outside_parent_and_children() {
    let krate = Crate::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    // (file, imported module) -> (line, rule) of every violation
    let mut found: BTreeMap<(String, String), Vec<(usize, String)>> = BTreeMap::new();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    let mut first_line: BTreeMap<(Vec<String>, Vec<String>), usize> = BTreeMap::new();
    let mut resolved = 0;
    for (module, path) in &krate.files {
        let src = std::fs::read_to_string(path).expect("source file");
        edges.entry(module.clone()).or_default();
        for m in mentions(&src) {
            let at: Vec<String> = module.iter().chain(&m.inline).cloned().collect();
            let Some(target) = krate.resolve(&at, &m.segments) else { continue };
            resolved += 1;
            if &target == module {
                continue;
            }
            first_line.entry((module.clone(), target.clone())).or_insert(m.line);
            let ancestry = target.starts_with(module) || module.starts_with(&target);
            if !ancestry {
                edges.get_mut(module).unwrap().insert(target.clone());
            }
            if module.is_empty() {
                continue; // lib.rs declares and re-exports every layer
            }
            if let Some(rule) = rule_broken(module, &target) {
                let how = if m.in_use { "use" } else { "path" };
                found
                    .entry((krate.rel(path), target.join("::")))
                    .or_default()
                    .push((m.line, format!("{rule} ({how} `{}`)", m.segments.join("::"))));
            }
        }
    }
    assert!(resolved > 100, "the test resolved only {resolved} paths into the crate: the parser is broken");
    for comp in cycles(&edges) {
        let names: Vec<String> = comp.iter().map(|m| m.join("::")).collect();
        for from in &comp {
            for to in edges[from].iter().filter(|t| comp.contains(*t)) {
                let line = first_line[&(from.clone(), to.clone())];
                found
                    .entry((krate.rel(&krate.files[from]), to.join("::")))
                    .or_default()
                    .push((line, format!("import cycle among {}", names.join(", "))));
            }
        }
    }

    let known: BTreeSet<(String, String)> = KNOWN_VIOLATIONS.iter().map(|(f, m)| (f.to_string(), m.to_string())).collect();
    let mut report = String::new();
    let mut unknown = Vec::new();
    for ((file, target), hits) in &found {
        let tag = if known.contains(&(file.clone(), target.clone())) { "known" } else { "NEW" };
        for (line, rule) in hits {
            report.push_str(&format!("{tag} {file}:{line}: imports `{target}`: {rule}\n"));
        }
        if tag == "NEW" {
            unknown.push(format!("    (\"{file}\", \"{target}\"),"));
        }
    }
    print!("{report}");
    let fixed: Vec<String> = known.iter().filter(|k| !found.contains_key(*k)).map(|(f, m)| format!("({f:?}, {m:?})")).collect();
    assert!(
        unknown.is_empty(),
        "layout violations outside KNOWN_VIOLATIONS (see docs/architecture.md):\n{report}\nnew entries:\n{}",
        unknown.join("\n")
    );
    assert!(fixed.is_empty(), "these KNOWN_VIOLATIONS are fixed: remove them from tests/suite/layout.rs:\n{}", fixed.join("\n"));
}

#[test]
fn the_parser_resolves_grouped_super_self_and_aliased_paths() {
    let src = r#"
        //! use crate::sim::Nope; (a comment)
        use crate::{a, b::{c::{self, D}, e as f}};
        pub(crate) use super::*;
        const S: &str = "use crate::sim::Nope;";
        fn g() { let _ = crate::kernel::time::SimTime::ZERO; let _c = 'x'; }
        #[cfg(test)]
        mod tests {
            use super::*;
            use super::super::h::I;
        }
    "#;
    let got: Vec<(String, bool, String)> =
        mentions(src).into_iter().map(|m| (m.segments.join("::"), m.in_use, m.inline.join("::"))).collect();
    let want = [
        ("crate::a", true, ""),
        ("crate::b::c", true, ""),
        ("crate::b::c::D", true, ""),
        ("crate::b::e", true, ""),
        ("super", true, ""),
        ("crate::kernel::time::SimTime::ZERO", false, ""),
        ("super", true, "tests"),
        ("super::super::h::I", true, "tests"),
    ];
    let want: Vec<(String, bool, String)> = want.iter().map(|(p, u, i)| (p.to_string(), *u, i.to_string())).collect();
    assert_eq!(got, want);

    let krate = Crate::load(Path::new(env!("CARGO_MANIFEST_DIR")));
    let v = |s: &str| s.split("::").filter(|x| !x.is_empty()).map(String::from).collect::<Vec<_>>();
    // `crate::kernel::time` is `crate::kernel::time` while lib.rs re-exports it, and after
    let time = krate.resolve(&v("sim"), &v("crate::kernel::time::SimTime")).expect("resolves");
    assert_eq!(time, v("kernel::time"));
    assert_eq!(krate.resolve(&v("sim::esm"), &v("super::Sim")), Some(v("sim")));
    assert_eq!(krate.resolve(&v("sim::esm::tests"), &v("super")), Some(v("sim::esm")));
    assert_eq!(krate.resolve(&v("sim"), &v("serde_json::Value")), None);
}

/// Files that may be longer than `MAX_FILE_LINES`: each is one cohesive thing that reads best whole.
const LONG_FILES: &[&str] = &[
    "src/aws/pattern.rs", // the EventBridge pattern language: one matcher for filters, rules and behaviour rules
];
/// About what one reader holds in mind at once (docs/architecture.md).
const MAX_FILE_LINES: usize = 700;
const MAX_FN_LINES: usize = 150;

/// Every function with a body in `src`, as (file, first line, name, lines from `fn` to its closing brace).
fn functions(krate: &Crate, files: &[PathBuf]) -> Vec<(String, usize, String, usize)> {
    let mut out = Vec::new();
    for path in files {
        let toks = tokenize(&std::fs::read_to_string(path).expect("source file"));
        for i in 0..toks.len() {
            let (Tok::Ident(kw), line) = &toks[i] else { continue };
            let Some((Tok::Ident(name), _)) = toks.get(i + 1) else { continue };
            if kw != "fn" {
                continue;
            }
            // the body is the first `{` before any `;` (a declaration without a body ends at `;`)
            let Some(open) = (i + 2..toks.len()).find(|&j| matches!(toks[j].0, Tok::Open | Tok::Semi)) else { continue };
            if toks[open].0 == Tok::Semi {
                continue;
            }
            let mut depth = 0;
            for (t, end) in &toks[open..] {
                match t {
                    Tok::Open => depth += 1,
                    Tok::Close => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    out.push((krate.rel(path), *line, name.clone(), end - line + 1));
                    break;
                }
            }
        }
    }
    out
}

#[test]
fn files_and_functions_stay_short() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let krate = Crate::load(root);
    let mut files: Vec<PathBuf> = krate.files.values().cloned().collect();
    // the command line too, which the layer rules leave out
    for entry in std::fs::read_dir(root.join("src/cli")).expect("src/cli") {
        files.push(entry.expect("dir entry").path());
    }
    let mut long = Vec::new();
    for path in &files {
        let lines = std::fs::read_to_string(path).expect("source file").lines().count();
        let rel = krate.rel(path);
        if lines > MAX_FILE_LINES && !LONG_FILES.contains(&rel.as_str()) {
            long.push(format!("{rel}: {lines} lines (at most {MAX_FILE_LINES}: split it along a seam)"));
        }
    }
    for (file, line, name, lines) in functions(&krate, &files) {
        if lines > MAX_FN_LINES {
            long.push(format!("{file}:{line}: fn {name} is {lines} lines (at most {MAX_FN_LINES})"));
        }
    }
    assert!(long.is_empty(), "too long:\n{}", long.join("\n"));
}

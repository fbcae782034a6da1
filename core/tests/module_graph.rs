//! The core's top-level modules form no cycle (issue 15): following a telegram through
//! `Module::post` (request → transport → reply → getters) never leads back to a module already
//! passed. Reads `src/` as text: a module depends on another when its non-test code names
//! `crate::<other>` (or a name the crate root re-exports from it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a panic is the failed assertion"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Names `lib.rs` re-exports at the crate root, by the module they come from.
const ROOT_REEXPORTS: &[(&str, &str)] = &[
    ("Dialect", "error"),
    ("Error", "error"),
    ("ErrorCode", "error"),
    ("Warning", "error"),
    ("Module", "module"),
    ("Params", "params"),
    ("Record", "params"),
];

fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The code of a file without its `#[cfg(test)]` module and without comment lines.
fn non_test_code(text: &str) -> String {
    // The test module body (`#[cfg(test)] mod tests {`), not a test-only `mod x;` declaration.
    let end = text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len());
    text[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// module → the modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = top_module(&src, &file);
        if from == "lib" {
            continue;
        }
        let code = non_test_code(&std::fs::read_to_string(&file).unwrap());
        let deps = graph.entry(from.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let to = ROOT_REEXPORTS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name.clone(), |(_, m)| m.to_string());
            if to != from && !to.is_empty() && to != "VERSION" {
                deps.insert(to);
            }
        }
    }
    graph
}

/// A cycle as a path `a → b → … → a`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn core_modules_form_no_cycle() {
    let g = graph();
    // The reader itself must see the edges it is meant to judge.
    assert!(
        g["module"].contains("transport") && g["request"].contains("php"),
        "{g:?}"
    );
    if let Some(cycle) = find_cycle(&g) {
        panic!(
            "core modules depend on each other in a cycle: {}",
            cycle.join(" → ")
        );
    }
}

#[test]
fn the_cycle_finder_finds_a_planted_cycle() {
    let mut g = graph();
    g.get_mut("php").unwrap().insert("module".into());
    let cycle = find_cycle(&g).expect("a planted cycle is found");
    assert_eq!(cycle.first(), cycle.last());
}

#[test]
fn leaves_depend_on_nothing() {
    let g = graph();
    for leaf in ["php", "telegram", "params", "charset"] {
        assert!(
            g[leaf].is_empty(),
            "{leaf} should be a leaf, names {:?}",
            g[leaf]
        );
    }
}

/// `boundary` stays two helpers over core's error enum (docs/architecture.md, "Why the binding
/// helpers stay in core"): if it grows other dependencies, it belongs in a crate of its own.
#[test]
fn boundary_names_only_error() {
    let g = graph();
    let deps: Vec<&str> = g["boundary"].iter().map(String::as_str).collect();
    assert_eq!(deps, ["error"], "boundary names {deps:?}");
}

//! The crate's top-level modules point one way: no import circle between
//! them (docs/architecture.md, "The layers"). Reads the sources, collects
//! each module's `crate::` paths outside its tests, and fails naming a
//! circle when one appears.
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The top-level modules named by `crate::a` or `crate::{a::…, b, …}` in
/// `source` (code after the first `#[cfg(test)]` is left out: tests may
/// reach anywhere).
fn imports(source: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            // The group's own top-level names: split at commas outside braces.
            let mut depth = 0;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth < 0
                })
                .map_or(group.len(), |(i, _)| i);
            let mut items = Vec::new();
            let (mut level, mut start) = (0, 0);
            for (i, c) in group[..end].char_indices() {
                match c {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        items.push(&group[start..i]);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            items.push(&group[start..end]);
            items
        } else {
            vec![rest]
        };
        for name in names {
            let name: String = name
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if modules.contains(&name) {
                found.insert(name);
            }
        }
    }
    found
}

/// Every `.rs` file under `path` (or `path` itself), as text.
fn sources(path: &Path) -> Vec<String> {
    if path.is_file() {
        return vec![std::fs::read_to_string(path).unwrap()];
    }
    let mut all = Vec::new();
    for entry in std::fs::read_dir(path).unwrap() {
        let entry = entry.unwrap().path();
        if entry.is_dir() || entry.extension().is_some_and(|e| e == "rs") {
            all.extend(sources(&entry));
        }
    }
    all
}

/// The crate's module graph: each top-level module of src/ (bin/ and
/// lib.rs aside) and the modules it imports.
fn crate_graph() -> Graph {
    let src = Path::new("src");
    let modules: BTreeSet<String> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_string()))
        .filter(|m| m != "lib" && m != "bin")
        .collect();
    let mut graph = Graph::new();
    for module in &modules {
        let path = [src.join(module), src.join(format!("{module}.rs"))]
            .into_iter()
            .find(|p| p.exists())
            .unwrap();
        let mut edges = BTreeSet::new();
        for text in sources(&path) {
            edges.extend(imports(&text, &modules));
        }
        edges.remove(module);
        graph.insert(module.clone(), edges);
    }
    graph
}

/// A circle of imports, as the modules along it, or None.
fn circle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_top_level_modules_import_in_one_direction() {
    let graph = crate_graph();
    // The reading works: the layers the architecture names are seen.
    assert!(graph["run"].contains("gpu") && graph["run"].contains("cpu"));
    assert!(graph["cpu"].contains("model") && graph["model"].contains("config"));
    if let Some(found) = circle(&graph) {
        panic!("an import circle: {}", found.join(" -> "));
    }
}

#[test]
fn the_training_state_lies_below_both_backends() {
    let graph = crate_graph();
    // Both backends read and write the state; it knows neither of them.
    for backend in ["cpu", "gpu"] {
        assert!(
            graph[backend].contains("state"),
            "{backend} should use state"
        );
        assert!(!graph["state"].contains(backend), "state imports {backend}");
    }
    // Neither backend reaches the other or the run above them.
    assert!(
        !graph["gpu"].contains("cpu"),
        "gpu imports cpu: {:?}",
        graph["gpu"]
    );
    assert!(
        !graph["cpu"].contains("gpu"),
        "cpu imports gpu: {:?}",
        graph["cpu"]
    );
    for backend in ["cpu", "gpu"] {
        assert!(!graph[backend].contains("run"), "{backend} imports run");
    }
}

#[test]
fn the_reader_sees_grouped_paths_and_finds_a_circle() {
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let text = "use crate::{a::X, b};\nfn f() { crate::c::g(); }\n#[cfg(test)]\nuse crate::z;";
    assert_eq!(imports(text, &modules), modules);
    let mut graph = Graph::new();
    graph.insert("a".into(), ["b".to_string()].into());
    graph.insert("b".into(), ["c".to_string()].into());
    graph.insert("c".into(), BTreeSet::new());
    assert_eq!(circle(&graph), None);
    graph.get_mut("c").unwrap().insert("a".into());
    assert_eq!(
        circle(&graph),
        Some(["a", "b", "c", "a"].map(String::from).to_vec())
    );
}

/// The error type of each `Result<…>` in `text` (its last top-level type
/// argument; None for the one-argument alias `Result<T>`).
fn result_errors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("Result<") {
        let (mut depth, mut last_comma, mut end) = (0i32, None, None);
        for (i, c) in text[at + "Result".len()..].char_indices() {
            match c {
                '<' | '(' | '[' => depth += 1,
                '>' | ')' | ']' => depth -= 1,
                ',' if depth == 1 => last_comma = Some(i),
                _ => {}
            }
            if depth == 0 {
                end = Some(i);
                break;
            }
        }
        if let (Some(comma), Some(end)) = (last_comma, end) {
            let base = at + "Result".len();
            found.push(text[base + comma + 1..base + end].trim().to_string());
        }
    }
    found
}

/// Library functions fail with a typed error whose kind decides what the
/// caller does (the CLI's exit code, the page's message), never a bare
/// `String` (issue 29, item 4). The command line in src/bin is left out.
#[test]
fn the_library_returns_typed_errors() {
    let mut untyped = Vec::new();
    for module in std::fs::read_dir("src").unwrap() {
        let path = module.unwrap().path();
        if path.ends_with("bin") {
            continue;
        }
        for text in sources(&path) {
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            untyped.extend(
                result_errors(code)
                    .into_iter()
                    .filter(|e| e == "String" || e == "&str" || e == "&'static str"),
            );
        }
    }
    assert!(
        untyped.is_empty(),
        "Result<_, String> in the library: {untyped:?}"
    );
    // The reader sees the error type, nested generics and all.
    assert_eq!(
        result_errors("fn f() -> Result<Vec<(u8, u8)>, String> {} fn g() -> Result<u8> {}"),
        ["String"]
    );
}

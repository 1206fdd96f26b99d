//! The WGSL parameter structs equal their Rust twins: same field names in the
//! same order at the same byte offsets, and the same size (a multiple of 16,
//! as uniform buffers need). Every kernel's bindings match its declarations.
use ib_playground::gpu::kernels::{Access, Kernel};
use ib_playground::gpu::params::all_layouts;

/// (field, offset) of `struct NAME { ... }` in WGSL text; scalar fields only
/// (u32, f32), 4 bytes each.
fn wgsl_struct(source: &str, name: &str) -> Option<(Vec<(String, usize)>, usize)> {
    let start = source.find(&format!("struct {name} {{"))?;
    let body = &source[start..];
    let body = &body[body.find('{')? + 1..body.find('}')?];
    let mut fields = Vec::new();
    for (i, part) in body
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let (field, ty) = part.split_once(':').expect("field: type");
        let ty = ty.trim();
        assert!(
            ty == "u32" || ty == "f32",
            "{name}.{field}: only u32/f32 fields are expected, got {ty}"
        );
        fields.push((field.trim().to_string(), 4 * i));
    }
    let size = (4 * fields.len()).next_multiple_of(16);
    Some((fields, size))
}

#[test]
fn params_structs_match_their_wgsl_twins() {
    for (name, layout, size, kernels) in all_layouts() {
        for kernel in kernels {
            let (fields, wgsl_size) = wgsl_struct(&kernel.source(), name)
                .unwrap_or_else(|| panic!("{}.wgsl does not declare struct {name}", kernel.name()));
            let rust: Vec<(String, usize)> =
                layout.iter().map(|(f, o)| (f.to_string(), *o)).collect();
            assert_eq!(fields, rust, "{name} in {}.wgsl", kernel.name());
            assert_eq!(size, wgsl_size, "{name} size in {}.wgsl", kernel.name());
            assert_eq!(
                size % 16,
                0,
                "{name}: uniform structs must be a multiple of 16 bytes"
            );
        }
    }
}

#[test]
fn bindings_match_the_wgsl_declarations() {
    for &kernel in Kernel::ALL {
        // With its libraries: the two products declare theirs in matmul_io.
        let source = kernel.source();
        let declared: Vec<Access> = source
            .lines()
            .filter(|l| l.starts_with("@group(0) @binding("))
            .map(|l| {
                if l.contains("var<uniform>") {
                    Access::Uniform
                } else if l.contains("read_write") {
                    Access::ReadWrite
                } else {
                    Access::Read
                }
            })
            .collect();
        assert_eq!(declared, kernel.bindings(), "{}.wgsl", kernel.name());
        for (i, line) in source
            .lines()
            .filter(|l| l.starts_with("@group(0) @binding("))
            .enumerate()
        {
            assert!(
                line.starts_with(&format!("@group(0) @binding({i})")),
                "{}.wgsl binding order: {line}",
                kernel.name()
            );
        }
        assert!(
            source.contains(&format!("fn {}(", kernel.name())),
            "{}.wgsl: entry point named after the file",
            kernel.name()
        );
    }
}

#[test]
fn every_shader_file_has_a_header_and_is_known() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let libraries = ["rng", "math", "schedule", "matmul_io"];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with("//")).collect();
        assert!(header.len() >= 4, "{stem}.wgsl: header comment too short");
        let header = header.join("\n");
        for needle in ["Bindings", "Workgroup", "Dispatch"] {
            assert!(
                header.contains(needle),
                "{stem}.wgsl header lacks '{needle}'"
            );
        }
        assert!(
            libraries.contains(&stem.as_str()) || Kernel::ALL.iter().any(|k| k.name() == stem),
            "{stem}.wgsl is not a known kernel or library"
        );
    }
}

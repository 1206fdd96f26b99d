//! `ibp anchors` as a user runs it: the table, the frozen criteria, the exit
//! codes. The training claims run in `make test` through `--quick` on the
//! release build (scripts/test.sh); here the fast claims and the refusals.
use std::process::{Command, Output};

fn ibp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ibp"))
        .args(args)
        .output()
        .expect("ibp runs")
}

#[test]
fn the_dsbs_and_squared_ib_claims_print_a_passing_table() {
    let out = ibp(&["anchors", "--quick", "--only", "squared-ib,dsbs"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("| ")).collect();
    // The header and the two claims, in the command's order (dsbs first).
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[1].starts_with("| DSBS p = 0.1"), "{}", rows[1]);
    assert!(rows[1].contains("| <= 1e-6 bits | pass |"), "{}", rows[1]);
    assert!(
        rows[2].contains("Kolchinsky, Tracey & Van Kuyk 2019"),
        "{}",
        rows[2]
    );
    assert!(
        rows[2].contains("| squared IB >= 8, IB <= 2 | pass |"),
        "{}",
        rows[2]
    );
    // The counts behind the verdict: the squared IB's interior points and
    // the Lagrangian's, read back from the row.
    let count = |name: &str| -> usize {
        let ours = &rows[2][rows[2].find("over 20 betas").unwrap()..];
        let at = ours.find(name).unwrap() + name.len();
        ours[at..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        count("squared IB ") >= 8 && count(", IB ") <= 2,
        "{}",
        rows[2]
    );
    assert!(text.contains("quick tier:"), "{text}");
}

#[test]
fn a_wrong_claim_or_flag_is_named() {
    let out = ibp(&["anchors", "--only", "dsbs,planes"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "--only: 'planes' is not a claim (claims: dsbs, squared-ib, plane-binning, plane-exact)"
        ),
        "{err}"
    );
    let out = ibp(&["anchors", "--fast"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unexpected argument '--fast'"));
}

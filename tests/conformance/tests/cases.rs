//! Every shared conformance case through paygent-core against paygent-sim over mutual TLS.

use paygent_conformance::run::{Case, Env, run};
use paygent_conformance::sim::Sim;

#[test]
fn conformance_cases() {
    let work = std::env::temp_dir().join(format!("paygent-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let cases = Case::all(&paygent_conformance::cases_dir()).unwrap();
    assert!(!cases.is_empty(), "no conformance cases found");
    let sim = Sim::start(&work, &paygent_conformance::cases_dir()).unwrap();
    let base = std::fs::read_to_string(paygent_conformance::cases_dir().join("../base.properties"))
        .unwrap();
    let env = Env {
        sim: &sim,
        work: &work,
        base_properties: &base,
    };
    let only = std::env::var("CASE").ok();
    let mut failed = Vec::new();
    let mut passed = 0;
    for case in cases
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| c.id.contains(o)))
    {
        match run(case, &env) {
            Ok(()) => passed += 1,
            Err(errs) => failed.push(format!("{}:\n    {}", case.id, errs.join("\n    "))),
        }
    }
    println!("conformance: {passed} passed, {} failed", failed.len());
    drop(sim);
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        failed.is_empty(),
        "{} case(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}

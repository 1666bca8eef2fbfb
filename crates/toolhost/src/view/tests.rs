//! The page from trajectories written the way the agent writes them.

use serde_json::{Value, json};

use super::model::{NodeKind, build};
use super::render;
use crate::agent::trajectory::Record;

/// Script that sets a flag if it ever runs, in the forms a page could be tricked by.
const PAYLOAD: &str = r#"<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"#;

fn usage(p: u64, c: u64) -> Value {
    json!({ "prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c })
}

fn step(depth: u32, n: u32, fields: Value) -> Value {
    let mut s = json!({
        "type": "step", "run_id": "r1", "depth": depth, "step": n, "model": "small",
        "role": if depth == 0 { "root" } else { "sub_query" }, "extends": 0,
        "request": [{ "role": "user", "content": "ask" }], "response": "ok",
        "finish_reason": "stop", "usage": usage(100, 20), "attempts": 1,
        "code": null, "output": null, "value": null, "error": null, "tool_calls": [],
        "duration_ms": 12.5, "failed": false
    });
    for (k, v) in fields.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

fn records(lines: &[Value]) -> Vec<Record> {
    lines
        .iter()
        .map(|l| serde_json::from_value(l.clone()).expect("a record the agent writes"))
        .collect()
}

/// Every text field of every record kind carries the payload.
fn hostile_run() -> Vec<Record> {
    let p = PAYLOAD;
    let call = json!({
        "tool": p, "arguments": { "expr": p }, "result": { "text": p }, "error_code": p,
        "duration_ms": 3.0,
        "images": [
            { "mime_type": format!("image/png\" onerror=\"{p}"), "data_base64": "AAAA" },
            { "mime_type": "image/png", "data_base64": format!("AA\" onerror=\"{p}") },
            { "mime_type": "image/png", "data_base64": "iVBORw0KGgo=" }
        ]
    });
    records(&[
        json!({ "type": "start", "run_id": p, "task": p, "model": p, "depth": 0, "protocol": "tools",
                "budget": { "max_steps": 5, "max_total_tokens": 10000 } }),
        json!({ "type": "start", "run_id": "r1", "task": p, "model": p, "depth": 1 }),
        step(
            2,
            0,
            json!({ "request": [{ "role": "user", "content": p }], "response": p, "model": p }),
        ),
        step(1, 1, json!({ "response": p, "code": p, "output": p })),
        json!({ "type": "end", "run_id": "r1", "depth": 1, "stop_reason": p, "final_value": p, "steps": 1,
                "usage": usage(1, 1) }),
        step(
            0,
            1,
            json!({
                "model": p, "response": format!("<think>{p}</think>{p}"), "finish_reason": p,
                "code": p, "output": p, "value": p, "error": p, "tool_calls": [call.clone()], "failed": true,
                "python_calls": [{ "id": p, "code": p, "output": p, "value": p, "error": p,
                                   "tool_calls": [call], "failed": true }]
            }),
        ),
        json!({ "type": "compaction", "run_id": "r1", "depth": 0, "step": 2, "compaction": {
            "before_tokens": 9, "after_tokens": 3, "budget_tokens": 5, "outputs_shortened": 1,
            "steps_summarised": 0 } }),
        json!({ "type": "escalation", "run_id": "r1", "step": 1, "from": p, "to": p, "reason": p }),
        step(0, 2, json!({ "role": "escalation", "response": p })),
        json!({ "type": "end", "run_id": "r1", "depth": 0, "stop_reason": p, "final_value": { "x": p },
                "steps": 2, "usage": usage(300, 60), "elapsed_ms": 40.0, "interrupted": p }),
    ])
}

#[test]
fn hostile_text_in_every_field_stays_text() {
    let html = render(&build(
        &hostile_run(),
        &[format!("step 1: {PAYLOAD}"), PAYLOAD.into()],
    ))
    .unwrap();
    // Our one script and our one image kind: nothing the trajectory said became markup.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "a script tag got through"
    );
    assert!(!html.contains("<img src=x"), "an image tag got through");
    for img in html.match_indices("<img").map(|(i, _)| &html[i..i + 120]) {
        assert!(img.starts_with(r#"<img class="tool-image""#), "{img}");
    }
    // Only the well-formed image survived (twice: the fenced run's call and the python call's).
    assert_eq!(html.matches("<img").count(), 2);
    // (The attribute is escaped too: `/` as `&#x2f;`, which the browser reads back.)
    assert!(html.contains("data:image&#x2f;png;base64,iVBORw0KGgo="));
    // The payload is still there to read, as text.
    assert!(html.contains("&lt;script&gt;window.__pwned=1&lt;&#x2f;script&gt;"));
    assert!(html.matches("&lt;img src=x onerror=").count() > 20);
}

#[test]
fn the_policy_forbids_remote_loads_and_allows_only_the_inlined_assets() {
    let html = render(&build(&hostile_run(), &[])).unwrap();
    let csp = super::page::content_security_policy(false);
    assert!(html.contains(&format!(
        r#"content="{}""#,
        csp.replace('\'', "&#x27;").replace('/', "&#x2f;")
    )));
    assert!(
        csp.starts_with("default-src 'none'; img-src data:;"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("http"),
        "{csp}"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing"
    );
    assert!(csp.contains("connect-src 'none'"), "{csp}");
    assert!(!html.contains("data-live"));
}

#[test]
fn a_live_page_may_fetch_only_from_its_own_server() {
    let html = super::page::render_live(&build(&hostile_run(), &[])).unwrap();
    let csp = super::page::content_security_policy(true);
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(html.contains(r#"<html lang="en" data-live="1""#));
}

#[test]
fn sub_calls_nest_under_the_step_whose_code_made_them() {
    let run = build(&hostile_run(), &[]);
    assert_eq!(run.steps.len(), 2);
    assert_eq!(run.subcall_depth, 2);
    let agent = &run.steps[0].subcalls;
    assert_eq!(agent.len(), 1);
    assert_eq!(agent[0].kind, NodeKind::Agent);
    let inner = &agent[0].children[0];
    assert_eq!(inner.kind, NodeKind::Step);
    let leaf = &inner.step.as_ref().unwrap().subcalls[0];
    assert_eq!((leaf.kind, leaf.depth), (NodeKind::Query, 2));
    assert_eq!(leaf.prompt, PAYLOAD);
    assert!(run.orphans.is_empty());
    // The escalation and the compaction land on their steps; the mismatch naming step 1 too.
    assert!(run.steps[0].escalation.is_some());
    assert!(run.steps[1].compaction.is_some());
    let html = render(&run).unwrap();
    assert_eq!(html.matches(r#"data-depth="2""#).count(), 1);
    assert_eq!(
        html.matches(r#"data-depth="1""#).count(),
        2,
        "the agent and its step"
    );
}

#[test]
fn interleaved_batch_sub_agents_keep_their_own_steps() {
    // Two sub-agents of one llm_batch: their step records interleave.
    let run = build(
        &records(&[
            json!({ "type": "start", "run_id": "r", "task": "top", "model": "m", "depth": 0 }),
            json!({ "type": "start", "run_id": "r", "task": "A", "model": "m", "depth": 1 }),
            json!({ "type": "start", "run_id": "r", "task": "B", "model": "m", "depth": 1 }),
            step(1, 1, json!({ "response": "A1" })),
            step(1, 1, json!({ "response": "B1" })),
            step(1, 2, json!({ "response": "A2" })),
            json!({ "type": "end", "run_id": "r", "depth": 1, "stop_reason": "s", "steps": 2, "usage": usage(0, 0) }),
            json!({ "type": "end", "run_id": "r", "depth": 1, "stop_reason": "s", "steps": 1, "usage": usage(0, 0) }),
            step(0, 1, json!({})),
        ]),
        &[],
    );
    let agents = &run.steps[0].subcalls;
    let texts = |i: usize| -> Vec<String> {
        agents[i]
            .children
            .iter()
            .map(|n| n.step.as_ref().unwrap().text.clone())
            .collect()
    };
    assert_eq!(
        (agents[0].prompt.as_str(), texts(0)),
        ("A", vec!["A1".to_owned(), "A2".to_owned()])
    );
    assert_eq!(
        (agents[1].prompt.as_str(), texts(1)),
        ("B", vec!["B1".to_owned()])
    );
}

#[test]
fn long_outputs_are_clipped_in_place_and_totals_run_on() {
    let long = "0123456789\n".repeat(1000);
    let run = build(
        &records(&[
            json!({ "type": "start", "run_id": "r", "task": "t", "model": "m", "depth": 0,
                    "budget": { "max_steps": 3, "max_cost": 1.0 } }),
            step(
                0,
                1,
                json!({ "code": "print(x)", "output": long, "cost": 0.25 }),
            ),
            step(0, 2, json!({ "code": "FINAL(1)", "cost": 0.5 })),
        ]),
        &[],
    );
    let out = run.steps[0].runs[0].output.as_ref().unwrap();
    assert!(out.head.len() <= super::model::CLIP_CHARS);
    assert_eq!(
        out.head.len() + out.rest.as_ref().unwrap().len(),
        long.len()
    );
    let totals = run.steps[1].cumulative.unwrap();
    assert_eq!((totals.tokens, totals.cost), (240, Some(0.75)));
    assert_eq!(run.stop_kind, "unfinished");
    let html = render(&run).unwrap();
    assert!(html.contains(&format!(
        "show {} more characters",
        thousands(out.rest_chars)
    )));
    assert!(
        html.contains("budget $1.00"),
        "the cost chart draws the budget"
    );
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let (head, tail) = s.split_at(s.len() - 3);
    format!("{head},{tail}")
}

#[test]
fn the_wall_clock_counts_what_came_before_the_first_step() {
    let start =
        json!({ "type": "start", "run_id": "r1", "task": "t", "model": "small", "depth": 0 });
    // The interpreter took 3 s to start: a step's own duration leaves that out.
    let recorded = records(&[
        start.clone(),
        step(
            0,
            1,
            json!({ "duration_ms": 10.0, "run_elapsed_ms": 3010.0 }),
        ),
        step(
            0,
            2,
            json!({ "duration_ms": 20.0, "run_elapsed_ms": 3030.0 }),
        ),
    ]);
    let run = build(&recorded, &[]);
    let clock: Vec<f64> = run
        .steps
        .iter()
        .map(|s| s.cumulative.unwrap().elapsed_ms)
        .collect();
    assert_eq!(clock, [3010.0, 3030.0]);
    // A trajectory from before the field: the steps' durations add up.
    let older = records(&[
        start,
        step(0, 1, json!({ "duration_ms": 10.0 })),
        step(0, 2, json!({ "duration_ms": 20.0 })),
    ]);
    let run = build(&older, &[]);
    assert_eq!(run.steps[1].cumulative.unwrap().elapsed_ms, 30.0);
}

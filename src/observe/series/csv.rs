//! `--series FILE.csv`: the series as CSV, one row per sample, and the naming of its columns (`start_s`, `end_s`,
//! `account.<metric>`, `<function>.<metric>`, `queue.<name>.<metric>`, `mapping.<label>.<metric>`).

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{mean, secs, FnSample, Series, THROTTLE_REASONS};
use crate::model::Model;

impl Series {
    /// The series as CSV: one row per sample; `start_s`, `end_s`, then account-wide columns, then per function
    /// `<function>.<metric>` columns.
    pub fn write_csv(&self, model: &Model, out: &mut dyn Write) -> io::Result<()> {
        let mut head = vec!["start_s".to_string(), "end_s".to_string()];
        let cols = column_names();
        for c in &cols {
            head.push(format!("account.{c}"));
        }
        for f in &model.functions {
            for c in &cols {
                head.push(format!("{}.{c}", f.name));
            }
        }
        for q in &model.esm.queues {
            for c in ["visible", "visible_max", "in_flight", "in_flight_max", "oldest_message_age_s", "sent", "deleted"] {
                head.push(format!("queue.{}.{c}", q.name));
            }
        }
        for m in &model.esm.mappings {
            for c in ["batches", "records", "iterator_age_max_s"] {
                head.push(format!("mapping.{}.{c}", m.label));
            }
        }
        writeln!(out, "{}", head.join(","))?;
        for i in 0..self.len() {
            let (a, b) = self.span(i);
            let mut line = format!("{},{}", secs(a), secs(b));
            let width = (b - a).as_micros();
            push_values(&mut line, self.account(i), width);
            for f in 0..self.nfns {
                push_values(&mut line, self.sample(i, f), width);
            }
            for q in 0..self.nq {
                let x = self.queue(i, q);
                line.push_str(&format!(
                    ",{},{},{},{},{},{},{}",
                    x.visible,
                    x.visible_max,
                    x.in_flight,
                    x.in_flight_max,
                    secs(x.oldest_age),
                    x.sent,
                    x.deleted
                ));
            }
            for m in 0..self.nm {
                let x = self.mapping(i, m);
                line.push_str(&format!(",{},{},{}", x.batches, x.records, secs(x.iterator_age_max)));
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }
}

fn column_names() -> Vec<String> {
    let mut c: Vec<String> =
        ["concurrency_max", "concurrency_mean", "accepted", "invocations", "cold_starts"].iter().map(|s| s.to_string()).collect();
    for (_, name) in THROTTLE_REASONS {
        c.push(format!("throttles_{name}"));
    }
    for s in ["errors", "async_backlog_max", "async_backlog", "oldest_event_age_s"] {
        c.push(s.to_string());
    }
    c
}

fn push_values(line: &mut String, s: &FnSample, width_us: u64) {
    let _ =
        write!(line, ",{},{},{},{},{}", s.concurrency_max, mean(s.concurrency_area, width_us), s.accepted, s.invocations, s.cold_starts);
    for t in s.throttles {
        let _ = write!(line, ",{t}");
    }
    let _ = write!(line, ",{},{},{},{}", s.errors, s.backlog_max, s.backlog, secs(s.oldest_age));
}

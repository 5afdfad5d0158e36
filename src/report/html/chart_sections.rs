//! The chart sections of the HTML report (`--report`), in page order: latency distributions, concurrency against
//! limits, cold starts, throttles by reason, function errors, the async backlog and the age of its oldest event, and
//! the queues and streams (spec section 5). Each section is one `<section>` holding `<figure data-series="...">`
//! charts drawn by `charts`.

use std::fmt::Write as _;

use super::charts::{cdf_chart, color, figure, fn_pts, mapping_pts, mean_of, pts, queue_pts, time_chart, Line, LIMIT_COLOR, MAX_POINTS};
use super::esc;
use crate::model::{EsmSource, Model};
use crate::observe::series::{FnSample, Series, THROTTLE_REASONS};
use crate::run::RunReport;

/// What every chart section needs: the run, the series merged down for drawing, and the functions it charts.
pub(super) struct Charts<'a> {
    model: &'a Model,
    report: &'a RunReport,
    /// The series merged down to at most [`MAX_POINTS`] samples.
    s: Series,
    /// The end of the run (seconds): the right edge of every time chart.
    x_max: f64,
    /// "per <interval>" of the merged series, for captions.
    per: String,
    names: Vec<&'a str>,
    /// Functions that accepted or rejected anything.
    active: Vec<usize>,
}

impl<'a> Charts<'a> {
    pub(super) fn new(model: &'a Model, report: &'a RunReport, series: &Series) -> Self {
        let s = series.coarsened_to(MAX_POINTS);
        let x_max = series.end().map(|e| e.as_secs_f64()).unwrap_or(0.0);
        let per = format!("per {}", s.interval());
        let names: Vec<&str> = model.functions.iter().map(|f| f.name.as_str()).collect();
        let active: Vec<usize> = (0..model.functions.len())
            .filter(|f| {
                let m = &report.metrics.functions[*f];
                m.accepted > 0 || m.rejected > 0
            })
            .collect();
        Charts { model, report, s, x_max, per, names, active }
    }

    /// Writes every chart section, in page order.
    pub(super) fn write(&self, h: &mut String) -> Result<(), String> {
        self.latency(h)?;
        self.concurrency(h)?;
        let async_fns = self.async_functions();
        let per = &self.per;
        let _ = writeln!(h, "<section id=\"cold-starts\">\n<h2>Cold starts</h2>");
        self.per_fn_chart(h, "cold-starts", &format!("Cold starts {per}"), "cold starts", &self.active, &|x| x.cold_starts as f64)?;
        h.push_str("</section>\n");
        self.throttles(h)?;
        h.push_str("<section id=\"errors\">\n<h2>Function errors</h2>\n");
        self.per_fn_chart(h, "errors", &format!("Executions ending in an error, timeout or crash, {per}"), "errors", &self.active, &|x| {
            x.errors as f64
        })?;
        h.push_str("</section>\n");
        h.push_str("<section id=\"async-backlog\">\n<h2>Async backlog</h2>\n<p class=\"note\">Async events accepted and not yet at their fate, not running: waiting for a retry, a throttle back-off or a free environment. Synchronous requests never queue.</p>\n");
        self.per_fn_chart(h, "async-backlog", &format!("Async backlog (highest {per})"), "events", &async_fns, &|x| {
            f64::from(x.backlog_max)
        })?;
        h.push_str("</section>\n");
        h.push_str("<section id=\"oldest-age\">\n<h2>Age of the oldest queued event</h2>\n");
        self.per_fn_chart(
            h,
            "oldest-age",
            "Age of the oldest backlog event at the end of each interval (seconds)",
            "seconds",
            &async_fns,
            &|x| x.oldest_age.as_secs_f64(),
        )?;
        h.push_str("</section>\n");
        self.queues_and_streams(h)
    }

    /// Functions with async traffic (the backlog charts leave out functions only ever called synchronously).
    fn async_functions(&self) -> Vec<usize> {
        let (model, report, s) = (self.model, self.report, &self.s);
        self.active
            .iter()
            .copied()
            .filter(|f| {
                model.sources.iter().any(|src| src.function.ix() == *f && !src.sync)
                    || model.function_targets.get(*f).is_some_and(|t| report.metrics.targets.get(t.ix()).is_some_and(|m| m.delivered() > 0))
                    || (0..s.len()).any(|i| s.sample(i, *f).backlog_max > 0)
            })
            .collect()
    }

    /// One chart with a line per function in `fns` (a flat "none" line when `fns` is empty).
    fn per_fn_chart(
        &self,
        h: &mut String,
        kind: &str,
        title: &str,
        y: &str,
        fns: &[usize],
        get: &dyn Fn(&FnSample) -> f64,
    ) -> Result<(), String> {
        let s = &self.s;
        let mut lines: Vec<Line> = fns
            .iter()
            .map(|f| Line { name: self.names[*f].to_string(), points: fn_pts(s, *f, |x, _| get(x)), color: color(*f), dashed: false })
            .collect();
        if lines.is_empty() {
            lines.push(Line { name: "none".into(), points: pts(s, |x, _| get(x)), color: color(7), dashed: false });
        }
        let svg = time_chart(&lines, self.x_max, y, 1.0)?;
        figure(h, kind, "functions", &esc(title), &svg);
        Ok(())
    }

    /// Latency distributions: one CDF chart per active function.
    fn latency(&self, h: &mut String) -> Result<(), String> {
        h.push_str("<section id=\"latency\">\n<h2>Latency distributions</h2>\n");
        h.push_str("<p class=\"note\">Cumulative distributions (hdrhistogram, 3 significant digits). Accept → fate is the end-to-end latency; sync callers see the response time of requests that ran (throttled requests are counted as throttles); the async queue wait runs from accept to the first execution.</p>\n");
        for f in &self.active {
            let m = &self.report.metrics.functions[*f];
            let svg = cdf_chart(&[
                ("accept → fate", &m.latency),
                ("sync callers", &m.sync_latency),
                ("async queue wait", &m.queue_wait),
                ("execution", &m.attempt_duration),
                ("init (cold start)", &m.init_duration),
            ])?;
            figure(h, "latency", self.names[*f], &format!("Latency distribution: {}", esc(self.names[*f])), &svg);
        }
        h.push_str("</section>\n");
        Ok(())
    }

    /// Concurrency against limits: one chart per active function, then one for the whole account.
    fn concurrency(&self, h: &mut String) -> Result<(), String> {
        h.push_str("<section id=\"concurrency\">\n<h2>Concurrency against limits</h2>\n");
        let _ = writeln!(
            h,
            "<p class=\"note\">Highest number of executions running at once in each interval ({}), and the time-average; dashed: the limit that applies.</p>",
            esc(&self.per)
        );
        for f in &self.active {
            self.function_concurrency(h, *f)?;
        }
        self.account_concurrency(h)?;
        h.push_str("</section>\n");
        Ok(())
    }

    fn function_concurrency(&self, h: &mut String, f: usize) -> Result<(), String> {
        let (model, s, x_max) = (self.model, &self.s, self.x_max);
        let fd = &model.functions[f];
        let peak = self.report.metrics.functions[f].peak_concurrency;
        let mut lines = vec![
            Line { name: "max".into(), points: fn_pts(s, f, |x, _| f64::from(x.concurrency_max)), color: color(0), dashed: false },
            Line { name: "mean".into(), points: fn_pts(s, f, mean_of), color: color(2), dashed: false },
        ];
        let (limit, what) = match fd.reserved {
            Some(r) => (r, "reserved concurrency"),
            None => (model.unreserved_pool, "unreserved account concurrency"),
        };
        let mut note = String::new();
        if f64::from(limit) <= 5.0 * f64::from(peak.max(1)) {
            lines.push(Line {
                name: format!("{what} {limit}"),
                points: vec![(0.0, f64::from(limit)), (x_max, f64::from(limit))],
                color: LIMIT_COLOR,
                dashed: true,
            });
        } else {
            note = format!(" — {what} {limit} is off the chart (peak {peak})");
        }
        let pc = fd.setup.pc_total();
        if pc > 0 {
            // Provisioned concurrency at the start: executions above it run on demand (spillovers).
            lines.push(Line {
                name: format!("provisioned concurrency {pc}"),
                points: vec![(0.0, f64::from(pc)), (x_max, f64::from(pc))],
                color: color(3),
                dashed: true,
            });
        }
        let svg = time_chart(&lines, x_max, "executions", 1.0)?;
        figure(h, "concurrency", &fd.name, &format!("Concurrency: {}{}", esc(&fd.name), esc(&note)), &svg);
        Ok(())
    }

    fn account_concurrency(&self, h: &mut String) -> Result<(), String> {
        let (model, s, x_max) = (self.model, &self.s, self.x_max);
        let peak = self.report.metrics.account_peak;
        let mut lines = vec![
            Line { name: "max".into(), points: pts(s, |x, _| f64::from(x.concurrency_max)), color: color(0), dashed: false },
            Line { name: "mean".into(), points: pts(s, mean_of), color: color(2), dashed: false },
        ];
        let mut note = String::new();
        for (name, limit, c) in [("account limit", model.account_limit, LIMIT_COLOR), ("unreserved pool", model.unreserved_pool, color(1))]
        {
            if name == "unreserved pool" && limit == model.account_limit {
                continue;
            }
            if f64::from(limit) <= 5.0 * f64::from(peak.max(1)) {
                lines.push(Line {
                    name: format!("{name} {limit}"),
                    points: vec![(0.0, f64::from(limit)), (x_max, f64::from(limit))],
                    color: c,
                    dashed: true,
                });
            } else {
                let _ = write!(note, " — {name} {limit} is off the chart (peak {peak})");
            }
        }
        let svg = time_chart(&lines, x_max, "executions", 1.0)?;
        figure(h, "concurrency", "account", &format!("Concurrency: whole account{}", esc(&note)), &svg);
        Ok(())
    }

    /// Throttles by reason: one line per function and reason that throttled at all.
    fn throttles(&self, h: &mut String) -> Result<(), String> {
        let s = &self.s;
        h.push_str("<section id=\"throttles\">\n<h2>Throttles by reason</h2>\n");
        let mut lines = vec![];
        for f in &self.active {
            for (r, (_, rname)) in THROTTLE_REASONS.iter().enumerate() {
                let p = fn_pts(s, *f, |x, _| x.throttles[r] as f64);
                if p.iter().any(|q| q.1 > 0.0) {
                    let k = lines.len();
                    lines.push(Line { name: format!("{} {rname}", self.names[*f]), points: p, color: color(k), dashed: false });
                }
            }
        }
        if lines.is_empty() {
            lines.push(Line {
                name: "no throttles".into(),
                points: pts(s, |x, _| x.throttles_total() as f64),
                color: color(7),
                dashed: false,
            });
        }
        let svg = time_chart(&lines, self.x_max, "throttles", 1.0)?;
        figure(h, "throttles", "functions", &esc(&format!("Throttles {}, by function and reason", self.per)), &svg);
        h.push_str("</section>\n");
        Ok(())
    }

    /// Queues and streams (spec section 5): SQS messages visible and in flight, the oldest message's age, and stream
    /// iterator age. Left out when the run has no queue traffic and no mapping.
    fn queues_and_streams(&self, h: &mut String) -> Result<(), String> {
        let (model, report) = (self.model, self.report);
        let queues: Vec<usize> = (0..model.esm.queues.len()).filter(|q| report.metrics.esm.queues[*q].sent > 0).collect();
        if queues.is_empty() && model.esm.mappings.is_empty() {
            return Ok(());
        }
        h.push_str("<section id=\"queues\">\n<h2>Queues and streams</h2>\n<p class=\"note\">SQS messages visible (or delayed) and in flight (received, not yet deleted or returned after their visibility timeout); a queue that no mapping reads counts what it stores as visible. Stream iterator age: the age of a batch's last record when the mapping invokes the function (spec section 5).</p>\n");
        if !queues.is_empty() {
            self.queue_charts(h, &queues)?;
        }
        let streams: Vec<usize> =
            (0..model.esm.mappings.len()).filter(|m| matches!(model.esm.mappings[*m].source, EsmSource::Stream(_))).collect();
        if !streams.is_empty() {
            let lines: Vec<Line> = streams
                .iter()
                .enumerate()
                .map(|(k, m)| Line {
                    name: model.esm.mappings[*m].label.clone(),
                    points: mapping_pts(&self.s, *m, |x| x.iterator_age_max.as_secs_f64()),
                    color: color(k),
                    dashed: false,
                })
                .collect();
            let svg = time_chart(&lines, self.x_max, "seconds", 1.0)?;
            figure(h, "iterator-age", "mappings", &esc(&format!("Stream iterator age (highest {}, seconds)", self.per)), &svg);
        }
        h.push_str("</section>\n");
        Ok(())
    }

    /// The two queue charts: messages visible and in flight, and the age of the oldest message.
    fn queue_charts(&self, h: &mut String, queues: &[usize]) -> Result<(), String> {
        let (model, s, x_max) = (self.model, &self.s, self.x_max);
        let mut lines = vec![];
        for (k, q) in queues.iter().enumerate() {
            let name = &model.esm.queues[*q].name;
            lines.push(Line {
                name: format!("{name} visible"),
                points: queue_pts(s, *q, &|x| x.visible_max as f64),
                color: color(k),
                dashed: false,
            });
            lines.push(Line {
                name: format!("{name} in flight"),
                points: queue_pts(s, *q, &|x| x.in_flight_max as f64),
                color: color(k),
                dashed: true,
            });
        }
        let svg = time_chart(&lines, x_max, "messages", 1.0)?;
        figure(h, "queue-messages", "queues", &esc(&format!("Messages visible and in flight (highest {})", self.per)), &svg);
        let lines: Vec<Line> = queues
            .iter()
            .enumerate()
            .map(|(k, q)| Line {
                name: model.esm.queues[*q].name.clone(),
                points: queue_pts(s, *q, &|x| x.oldest_age.as_secs_f64()),
                color: color(k),
                dashed: false,
            })
            .collect();
        let svg = time_chart(&lines, x_max, "seconds", 1.0)?;
        figure(h, "queue-oldest-age", "queues", "Age of the oldest message at the end of each interval (seconds)", &svg);
        Ok(())
    }
}

//! Drawing the charts of the HTML report (`--report`): time-series line charts and latency distribution (CDF) charts
//! as inline SVG strings drawn with `plotters`, the `<figure>` that wraps each, and the points of a [`Series`] they
//! plot. Nothing here knows the page layout; the sections that place the charts are in `chart_sections`.

use std::fmt::Write as _;

use hdrhistogram::Histogram;
use plotters::prelude::*;

use super::{esc, trim};
use crate::observe::series::{FnSample, MappingSample, QueueSample, Series};

/// Points drawn per time-series chart at most (the series is merged down for drawing; the CSV keeps every sample).
pub(super) const MAX_POINTS: usize = 600;
const WIDTH: u32 = 960;
const HEIGHT: u32 = 300;

const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];
pub(super) const LIMIT_COLOR: RGBColor = RGBColor(200, 30, 30);

pub(super) fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

/// Seconds for axis labels.
fn fmt_secs(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x.abs() < 1e-3 {
        format!("{}µs", trim(format!("{:.1}", x * 1e6)))
    } else if x.abs() < 1.0 {
        format!("{}ms", trim(format!("{:.1}", x * 1e3)))
    } else {
        format!("{}s", trim(format!("{x:.2}")))
    }
}

/// One line of a time-series chart: its legend name, its points, and how it is drawn.
pub(super) struct Line {
    pub(super) name: String,
    pub(super) points: Vec<(f64, f64)>,
    pub(super) color: RGBColor,
    pub(super) dashed: bool,
}

/// One time-series chart as an SVG string.
pub(super) fn time_chart(lines: &[Line], x_max: f64, y_desc: &str, y_min_top: f64) -> Result<String, String> {
    let mut y_max = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1)).fold(0.0_f64, f64::max);
    y_max = (y_max * 1.1).max(y_min_top);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(72)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("virtual time")
            .y_desc(y_desc)
            .x_label_formatter(&|x| fmt_secs(*x))
            .y_label_formatter(&|y| trim(format!("{y:.2}")))
            .light_line_style(RGBColor(238, 238, 238))
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| e.to_string())?;
        for l in lines {
            let c = l.color;
            let style = c.stroke_width(2);
            if l.dashed {
                chart
                    .draw_series(DashedLineSeries::new(l.points.iter().copied(), 8, 5, style))
                    .map_err(|e| e.to_string())?
                    .label(l.name.clone())
                    // dashed in the legend too, so that it tells the dashed line from the solid one of the same colour
                    .legend(move |(x, y)| {
                        EmptyElement::at((x, y))
                            + PathElement::new(vec![(0, 0), (6, 0)], c.stroke_width(2))
                            + PathElement::new(vec![(10, 0), (16, 0)], c.stroke_width(2))
                    });
            } else {
                chart
                    .draw_series(LineSeries::new(l.points.iter().copied(), style))
                    .map_err(|e| e.to_string())?
                    .label(l.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
            }
        }
        if !lines.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .label_font(("sans-serif", 14))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

/// A latency distribution chart: the cumulative distribution of each histogram, on a logarithmic time axis.
pub(super) fn cdf_chart(hists: &[(&str, &Histogram<u64>)]) -> Result<String, String> {
    let present: Vec<(usize, &str, &Histogram<u64>)> =
        hists.iter().enumerate().filter(|(_, (_, h))| !h.is_empty()).map(|(i, (n, h))| (i, *n, *h)).collect();
    // The axis fits the values above 1 µs (the metrics' resolution: a zero wait or latency is recorded as 0 or 1 µs);
    // such "zero" values are drawn at the left edge and counted in the legend, so that one instant answer does not
    // stretch the axis over six decades.
    let zeros = |h: &Histogram<u64>| h.count_between(0, 1);
    let lo = present.iter().filter_map(|(_, _, h)| h.iter_recorded().map(|v| v.value_iterated_to()).find(|v| *v > 1)).min().unwrap_or(1_000)
        as f64
        / 1e6;
    let hi = present.iter().map(|(_, _, h)| h.max().max(1)).max().unwrap_or(1_000_000) as f64 / 1e6;
    let (lo, hi) = (lo * 0.8, if hi > lo { hi * 1.25 } else { lo * 10.0 });
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(72)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..100.0)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("latency (log scale)")
            .y_desc("percentile")
            .x_label_formatter(&|x| fmt_secs(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .light_line_style(RGBColor(238, 238, 238))
            .label_style(("sans-serif", 15))
            .axis_desc_style(("sans-serif", 15))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, name, h) in &present {
            let mut qs: Vec<f64> = (0..=200).map(|k| f64::from(k) / 200.0).collect();
            qs.extend([0.999, 0.9999]);
            qs.sort_by(f64::total_cmp);
            let pts: Vec<(f64, f64)> = qs.iter().map(|q| ((h.value_at_quantile(*q).max(1) as f64 / 1e6).max(lo), q * 100.0)).collect();
            let c = color(*i);
            chart
                .draw_series(LineSeries::new(pts, c.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(match zeros(h) {
                    0 => format!("{name} (n={})", h.len()),
                    z => format!("{name} (n={}, {z} at 0)", h.len()),
                })
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
        }
        if !present.is_empty() {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .background_style(WHITE.mix(0.85))
                .label_font(("sans-serif", 14))
                .border_style(RGBColor(180, 180, 180))
                .draw()
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(buf)
}

pub(super) fn figure(out: &mut String, kind: &str, scope: &str, caption: &str, svg: &str) {
    let _ = write!(
        out,
        "<figure class=\"chart\" data-series=\"{}\" data-scope=\"{}\"><figcaption>{}</figcaption>\n{}\n</figure>\n",
        esc(kind),
        esc(scope),
        caption,
        svg.trim()
    );
}

/// Points `(time, value)` of one series, at the middle of each sample.
pub(super) fn pts(s: &Series, get: impl Fn(&FnSample, u64) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.account(i), (b - a).as_micros()))
        })
        .collect()
}

pub(super) fn fn_pts(s: &Series, f: usize, get: impl Fn(&FnSample, u64) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.sample(i, f), (b - a).as_micros()))
        })
        .collect()
}

pub(super) fn mean_of(x: &FnSample, width_us: u64) -> f64 {
    if width_us == 0 {
        0.0
    } else {
        x.concurrency_area as f64 / width_us as f64
    }
}

/// Points `(time, value)` of one queue, at the middle of each sample.
pub(super) fn queue_pts(s: &Series, q: usize, get: &dyn Fn(&QueueSample) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.queue(i, q)))
        })
        .collect()
}

/// Points `(time, value)` of one event source mapping, at the middle of each sample.
pub(super) fn mapping_pts(s: &Series, m: usize, get: impl Fn(&MappingSample) -> f64) -> Vec<(f64, f64)> {
    (0..s.len())
        .map(|i| {
            let (a, b) = s.span(i);
            ((a.as_secs_f64() + b.as_secs_f64()) / 2.0, get(s.mapping(i, m)))
        })
        .collect()
}

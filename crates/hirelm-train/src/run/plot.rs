//! A loss curve as a self-contained SVG file.

use super::train::fail;
use crate::error::Result;

/// One line of a chart: its name, its colour and its `(step, value)` points.
pub type Curve<'a> = (&'a str, &'a str, Vec<(f64, f64)>);

/// An SVG line chart of `(step, value)` series (e.g. train and validation loss).
pub fn loss_curve_svg(series: &[Curve<'_>]) -> String {
    let (w, h, pad) = (720.0, 360.0, 48.0);
    let points = series.iter().flat_map(|(_, _, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in points.filter(|(_, y)| y.is_finite()) {
        (x0, x1, y0, y1) = (x0.min(*x), x1.max(*x), y0.min(*y), y1.max(*y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let sx = |x: f64| pad + (x - x0) / (x1 - x0).max(1e-9) * (w - 2.0 * pad);
    let sy = |y: f64| h - pad - (y - y0) / (y1 - y0).max(1e-9) * (h - 2.0 * pad);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <line x1=\"{pad}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#333\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{b}\" stroke=\"#333\"/>\n\
         <text x=\"{pad}\" y=\"{t}\">loss {y1:.3}</text><text x=\"{pad}\" y=\"{bl}\">{y0:.3}</text>\n\
         <text x=\"{r}\" y=\"{bl}\" text-anchor=\"end\">step {x1:.0}</text>\n",
        b = h - pad,
        r = w - pad,
        t = pad - 8.0,
        bl = h - pad + 16.0
    );
    for (i, (name, colour, points)) in series.iter().enumerate() {
        let path: Vec<String> = points
            .iter()
            .filter(|(_, y)| y.is_finite())
            .map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y)))
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>\n\
             <text x=\"{}\" y=\"{}\" fill=\"{colour}\">{name}</text>\n",
            path.join(" "),
            w - pad - 120.0,
            pad + 16.0 * i as f64
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// Draws the train and validation loss of a `metrics.jsonl` as an SVG at `svg_path`.
pub(super) fn write_loss_curve(
    metrics: &std::path::Path,
    svg_path: &std::path::Path,
) -> Result<()> {
    let text = std::fs::read_to_string(metrics).map_err(|e| fail(metrics, e))?;
    let (mut train, mut valid) = (Vec::new(), Vec::new());
    for value in text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
    {
        let step = value["step"].as_f64().unwrap_or(0.0);
        if let Some(loss) = value["loss"].as_f64() {
            train.push((step, loss));
        }
        if let Some(loss) = value["valid_loss"].as_f64() {
            valid.push((step, loss));
        }
    }
    let svg = loss_curve_svg(&[
        ("train loss", "#1f77b4", train),
        ("valid loss", "#d62728", valid),
    ]);
    hirelm_core::fs::write_atomic(svg_path, svg.as_bytes()).map_err(|e| fail(svg_path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_polyline_per_series_within_the_canvas() {
        let svg = loss_curve_svg(&[
            (
                "train",
                "#1f77b4",
                vec![(0.0, 3.0), (10.0, 2.0), (20.0, 1.0)],
            ),
            ("valid", "#d62728", vec![(10.0, 2.5), (20.0, f64::NAN)]),
        ]);
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(
            svg.contains("48.0,48.0") && svg.contains("672.0,312.0"),
            "{svg}"
        );
    }
}

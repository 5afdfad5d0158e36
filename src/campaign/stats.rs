//! Statistics for many runs of one scenario: the normal and Student's t quantiles and the confidence interval of a
//! mean, used by seed sweeps (`campaign::sweep`, statistical expectations) and paired comparisons
//! (`campaign::compare`). The normal quantile is a closed-form approximation (relative error < 1.2e-9); Student's t is
//! the exact inverse CDF from `statrs`. Neither enters a trace digest: they only shape the intervals printed by
//! `check` and `compare`.

/// Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
#[allow(clippy::excessive_precision)]
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] =
        [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383577518672690e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] =
        [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let pl = 0.02425;
    if p < pl {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - pl {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -normal_quantile(1.0 - p)
    }
}

/// Quantile of Student's t with `df` degrees of freedom: the exact inverse CDF (through the inverse regularized
/// incomplete beta function of `statrs`), so small sweeps get intervals as wide as the t tables say. `p` outside (0, 1)
/// gives -inf or +inf, `df` not above 0 gives NaN, and an infinite `df` is the standard normal.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    if p.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if df.is_infinite() {
        return Normal::standard().inverse_cdf(p);
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// Mean and the half-width of its two-sided confidence interval (Student's t).
pub fn mean_ci(xs: &[f64], confidence: f64) -> Option<(f64, f64)> {
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Some((mean, f64::INFINITY));
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let t = t_quantile(0.5 + confidence / 2.0, n as f64 - 1.0);
    Some((mean, t * (var / n as f64).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        assert!((normal_quantile(0.975) - 1.959964).abs() < 1e-5);
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
        // t(0.975, 3) = 3.182446; s = 1.290994; half-width = t * s / 2
        assert!((m - 2.5).abs() < 1e-12 && (h - 3.182446 * 1.290994 / 2.0).abs() < 1e-5, "{h}");
    }

    /// Two-sided critical values from a published t table (NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2
    /// "Critical Values of the Student's t Distribution", given to three decimals), plus the df = 1000 row of the
    /// tables that carry it. Each must match to the table's precision (half a unit in the last place).
    #[test]
    fn t_quantiles_match_published_tables() {
        let table: &[(f64, f64, f64)] = &[
            (0.975, 1.0, 12.706),
            (0.995, 1.0, 63.657),
            (0.975, 2.0, 4.303),
            (0.975, 3.0, 3.182),
            (0.995, 4.0, 4.604),
            (0.95, 5.0, 2.015),
            (0.975, 10.0, 2.228),
            (0.99, 15.0, 2.602),
            (0.975, 30.0, 2.042),
            (0.995, 30.0, 2.750),
            (0.975, 100.0, 1.984),
            (0.995, 100.0, 2.626),
            (0.975, 1000.0, 1.962),
        ];
        for &(p, df, want) in table {
            let got = t_quantile(p, df);
            assert!((got - want).abs() <= 0.0005 + 1e-9, "t({p}, {df}) = {got}, the table says {want}");
            // symmetric about 0
            assert!((t_quantile(1.0 - p, df) + got).abs() < 1e-9);
        }
        assert!((t_quantile(0.975, f64::INFINITY) - 1.959964).abs() < 1e-6);
        assert_eq!(t_quantile(1.0, 3.0), f64::INFINITY);
        assert!(t_quantile(0.5, 0.0).is_nan());
    }
}

//! Statistics for many runs of one scenario: the normal and Student's t quantiles and the confidence interval of a
//! mean, used by seed sweeps (`campaign::sweep`, statistical expectations) and paired comparisons
//! (`campaign::compare`). Plain closed-form approximations, no statistics crate, so the figures stay the same on every
//! platform.

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

/// Quantile of Student's t with `df` degrees of freedom (Cornish–Fisher expansion around the normal; exact enough
/// for confidence intervals with df >= 3, and df 1–2 use their closed forms).
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df <= 1.0 {
        return (std::f64::consts::PI * (p - 0.5)).tan();
    }
    if (df - 2.0).abs() < 1e-9 {
        let a = 4.0 * p * (1.0 - p);
        return (2.0 * p - 1.0) * (2.0 / a).sqrt();
    }
    let z = normal_quantile(p);
    let z3 = z.powi(3);
    let z5 = z.powi(5);
    let z7 = z.powi(7);
    let z9 = z.powi(9);
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * df.powi(4))
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
        assert!((t_quantile(0.975, 10.0) - 2.228139).abs() < 2e-3);
        assert!((t_quantile(0.975, 30.0) - 2.042272).abs() < 1e-3);
        assert!((t_quantile(0.975, 2.0) - 4.302653).abs() < 1e-4);
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0, 4.0], 0.95).unwrap();
        assert!((m - 2.5).abs() < 1e-12 && (h - 2.054).abs() < 0.01);
    }
}

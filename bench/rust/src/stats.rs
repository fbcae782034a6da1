//! Median and p90 of per-batch figures (µs per telegram).

/// Median and 90th percentile (nearest rank) of `values`; `None` when empty.
pub fn median_p90(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    // Nearest rank: the smallest value with at least 90 % of the values at or below it.
    let rank = (9 * n).div_ceil(10);
    Some((median, v[rank - 1]))
}

#[cfg(test)]
mod tests {
    use super::median_p90;

    #[test]
    fn odd_even_and_rank() {
        assert_eq!(median_p90(&[]), None);
        assert_eq!(median_p90(&[5.0]), Some((5.0, 5.0)));
        assert_eq!(median_p90(&[3.0, 1.0, 2.0]), Some((2.0, 3.0)));
        let ten: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert_eq!(median_p90(&ten), Some((5.5, 9.0)));
        let twenty: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(median_p90(&twenty), Some((10.5, 18.0)));
    }
}

//! The little linear algebra of two parameters: the eigenvalues of a symmetric 1×1 or 2×2 matrix, powers of a 2×2
//! matrix by repeated squaring, and a 2×2 system's solution. Pure f64; a leaf of the engine (it names no other
//! module).

/// Eigenvalues (max, min) of a symmetric positive semi-definite 1×1 or 2×2 matrix (a loss's Hessian); the smaller
/// one is floored at 0.
pub fn eigenvalues(h: &[Vec<f64>]) -> (f64, f64) {
    if h.len() == 1 {
        return (h[0][0], h[0][0]);
    }
    let (a, b, d) = (h[0][0], h[0][1], h[1][1]);
    let (mean, radius) = mean_radius(a, b, d);
    let max = mean + radius;
    // λmin = det/λmax avoids cancellation when the matrix is ill-conditioned.
    let min = if max > 0.0 { (a * d - b * b) / max } else { mean - radius };
    (max, min.max(0.0))
}

/// The eigenvalues of a symmetric 2×2 matrix, largest first, with their signs.
pub fn signed_eigenvalues(h: [[f64; 2]; 2]) -> [f64; 2] {
    let (a, b, d) = (h[0][0], h[0][1], h[1][1]);
    let (mean, radius) = mean_radius(a, b, d);
    let max = mean + radius;
    // The smaller one as det/max when that avoids cancellation.
    let min = if mean.abs() > radius && max != 0.0 { (a * d - b * b) / max } else { mean - radius };
    [max, min]
}

/// The eigenvalues of [[a, b], [b, d]] are mean ± radius.
fn mean_radius(a: f64, b: f64, d: f64) -> (f64, f64) {
    (0.5 * (a + d), (0.25 * (a - d) * (a - d) + b * b).sqrt())
}

/// The 2×2 matrix product a·b.
fn mat_mul(a: [[f64; 2]; 2], b: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
        }
    }
    c
}

/// mᵏ by repeated squaring (O(log k) products).
pub fn mat_pow(mut m: [[f64; 2]; 2], mut k: u64) -> [[f64; 2]; 2] {
    let mut r = [[1.0, 0.0], [0.0, 1.0]];
    while k > 0 {
        if k & 1 == 1 {
            r = mat_mul(r, m);
        }
        m = mat_mul(m, m);
        k >>= 1;
    }
    r
}

/// x solving m·x = rhs, `None` for a singular m.
pub fn solve2(m: [[f64; 2]; 2], rhs: [f64; 2]) -> Option<[f64; 2]> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let scale = (m[0][0].abs() + m[1][1].abs()).powi(2).max(f64::MIN_POSITIVE);
    (det.abs() > 1e-14 * scale)
        .then(|| [(rhs[0] * m[1][1] - m[0][1] * rhs[1]) / det, (m[0][0] * rhs[1] - m[1][0] * rhs[0]) / det])
}

#!/usr/bin/python3
"""BG/NBD benchmark helper for test/bench.sh models (Debian's python3-numpy,
python3-scipy and python3-pandas).

  bgnbd_scipy.py simulate N OUT.csv SEED
      Raw transactions (customer_id, day) of N customers simulated from a
      BG/NBD model with r = 0.25, alpha = 4, a = 0.8, b = 2.5 (per week).
      First purchases fall on the days of 2024; observation ends 2024-12-31.

  bgnbd_scipy.py fit OBS_END
      The way a data scientist fits BG/NBD today: export the raw
      transactions from PostgreSQL (psql \\copy to CSV; the psql command line
      comes from $PSQL), read them with pandas, summarise each customer as
      lifetimes' summary_data_from_transaction_data does (day periods, weeks
      as the unit), and maximise the same likelihood with SciPy's minimize
      (BFGS on log-parameters from lifetimes' start exp(0.1), analytic
      gradient, tol 1e-7 on the mean negative log-likelihood, as lifetimes).
      Prints one line of timings and parameters.
"""
import os
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import digamma, gammaln


def simulate(n, out, seed):
    """Write raw transactions of n simulated customers to out (CSV)."""
    r, alpha, a, b = 0.25, 4.0, 0.8, 2.5
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1.0 / alpha, n)          # purchases per week
    p = rng.beta(a, b, n)                       # dropout after each repeat purchase
    first = rng.integers(0, 365, n)             # day of 2024 of the first purchase
    weeks = (365 - first) / 7.0                 # T: weeks to 2024-12-31
    events = rng.poisson(lam * weeks)           # purchases in (0, T] if never dropping out
    dropout = rng.geometric(p)                  # repeat purchases before dropping out
    keep_n = np.minimum(events, dropout)
    cust = np.repeat(np.arange(n), events)
    when = rng.random(cust.size) * weeks[cust]
    order = np.lexsort((when, cust))
    cust, when = cust[order], when[order]
    rank = np.arange(cust.size) - np.repeat(np.cumsum(events) - events, events)
    keep = rank < keep_n[cust]
    rep_cust = cust[keep]
    rep_day = first[rep_cust] + np.floor(when[keep] * 7).astype(np.int64)
    ids = np.concatenate([np.arange(n), rep_cust]) + 1
    days = np.concatenate([first, rep_day])
    base = np.datetime64('2024-01-01')
    pd.DataFrame({'customer_id': ids, 'day': base + days.astype('timedelta64[D]')}).to_csv(out, index=False)
    print(f'{ids.size} transactions of {n} customers')


def negll(theta, x, tx, T, pos):
    """Mean negative BG/NBD log-likelihood and its gradient in log-parameters."""
    r, al, a, b = np.exp(theta)
    n = x.size
    bx1 = np.where(pos, b + x - 1, 1.0)
    A12 = gammaln(r + x) - gammaln(r) + r * np.log(al) + gammaln(a + b) + gammaln(b + x) \
        - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(al + T)
    A4 = np.where(pos, np.log(a) - np.log(bx1) - (r + x) * np.log(al + tx), -np.inf)
    m = np.maximum(A3, A4)
    lse = m + np.log(np.exp(A3 - m) + np.exp(A4 - m))
    p3 = np.exp(A3 - lse)
    p4 = np.exp(A4 - lse)
    ll = np.sum(A12 + lse)
    gr = np.sum(digamma(r + x) - digamma(r) + np.log(al) - p3 * np.log(al + T) - p4 * np.log(al + tx))
    gal = np.sum(r / al - (r + x) * (p3 / (al + T) + p4 / (al + tx)))
    ga = np.sum(digamma(a + b) - digamma(a + b + x) + p4 / a)
    gb = np.sum(digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - p4 / bx1)
    grad = -np.array([gr * r, gal * al, ga * a, gb * b]) / n
    return -ll / n, grad


def fit(obs_end):
    """Export, read, summarise and fit; print timings and parameters."""
    psql = shlex.split(os.environ.get('PSQL', 'psql'))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'tx.csv')
        t0 = time.perf_counter()
        subprocess.run(psql + ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c',
                               f"\\copy (SELECT customer_id, day FROM bench_tx) TO '{path}' WITH (FORMAT csv, HEADER)"],
                       check=True)
        t1 = time.perf_counter()
        tx = pd.read_csv(path, parse_dates=['day'])
        t2 = time.perf_counter()
    # lifetimes' summary_data_from_transaction_data, freq 'D', freq_multiplier 7
    tx = tx.drop_duplicates(['customer_id', 'day'])
    g = tx.groupby('customer_id')['day'].agg(['min', 'max', 'count'])
    end = pd.Timestamp(obs_end)
    x = (g['count'] - 1).to_numpy(float)
    t_x = ((g['max'] - g['min']).dt.days / 7.0).to_numpy()
    T = ((end - g['min']).dt.days / 7.0).to_numpy()
    t3 = time.perf_counter()
    pos = x > 0
    res = minimize(negll, np.full(4, 0.1), args=(x, t_x, T, pos), jac=True, method='BFGS', tol=1e-7)
    t4 = time.perf_counter()
    r, al, a, b = np.exp(res.x)
    print(f'export {t1 - t0:.3f} read {t2 - t1:.3f} summary {t3 - t2:.3f} fit {t4 - t3:.3f} '
          f'total {t4 - t0:.3f} customers {x.size} iterations {res.nit} converged {res.success} '
          f'r {r:.6g} alpha {al:.6g} a {a:.6g} b {b:.6g} ll {-res.fun * x.size:.6f}')


if __name__ == '__main__':
    if len(sys.argv) == 5 and sys.argv[1] == 'simulate':
        simulate(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 3 and sys.argv[1] == 'fit':
        fit(sys.argv[2])
    else:
        sys.exit(__doc__)

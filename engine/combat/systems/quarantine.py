"""System ``quarantine``: no non-finite enemy row reaches the grid or any later system.

It runs right after ``movement``, the last step that writes enemy positions before the grid
rebuild. An enemy whose ``pos``, ``sep`` (its separation velocity) or ``hp`` holds a NaN or an
infinity (written by game code, or a bad number from outside the kit; the systems themselves
keep finite rows finite) is quarantined:

* it is marked for despawn, so the ``deaths`` flush (the store's one flush point) removes it,
  with no kill, xp or death burst credited;
* for the rest of the tick it is inert and finite: parked at the arena's lower-left corner
  (``pos`` and ``prev_pos``), with ``sep``, ``radius``, ``damage`` and ``hp`` set to 0, so the
  grid, separation, contact and the renderer read finite numbers, it cannot hurt the player,
  and the ``damage`` step drops hits on it as stale;
* it is counted once in ``CombatStats.nonfinite_quarantined``.

A NaN in one row therefore never reaches another row: separation and the grid only ever see
finite positions.
"""

from __future__ import annotations

import numpy as np

from .._kernels import f32
from ..state import WorldState

__all__ = ["QuarantineSystem"]


class QuarantineSystem:
    """System ``quarantine``: find enemy rows with non-finite numbers and make them inert."""

    def __init__(self, state: WorldState) -> None:
        self.state = state
        cap = state.enemies.capacity
        self._fin = np.zeros(2 * cap, np.bool_)
        self._ok = np.zeros(cap, np.bool_)
        self._bad = np.zeros(cap, np.bool_)
        self._park = state.arena_min.copy()
        self._zero = f32(0.0)

    def __call__(self, dt: float) -> None:
        """Check every live enemy row; quarantine the non-finite ones.

        Allocation contract: allocates no array data (scratch made at construction);
        transient views and Python scalars only, also on a tick that quarantines.
        """
        store = self.state.enemies
        n = store.count
        if n == 0:
            return
        cols = store.columns
        # Fast path: three isfinite passes into preallocated scratch, nothing else.
        fin = self._fin
        if (np.isfinite(cols["pos"][:n].reshape(2 * n), out=fin[:2 * n]).all()
                and np.isfinite(cols["sep"][:n].reshape(2 * n), out=fin[:2 * n]).all()
                and np.isfinite(cols["hp"][:n], out=fin[:n]).all()):
            return
        self._quarantine(n)

    def _quarantine(self, n: int) -> None:
        store = self.state.enemies
        cols = store.columns
        ok = self._ok[:n]
        tmp = self._bad[:n]
        pos = cols["pos"][:n]
        sep = cols["sep"][:n]
        np.isfinite(pos[:, 0], out=ok)
        for part in (pos[:, 1], sep[:, 0], sep[:, 1], cols["hp"][:n]):
            np.logical_and(ok, np.isfinite(part, out=tmp), out=ok)
        bad = np.logical_not(ok, out=tmp)
        k = int(np.count_nonzero(bad))
        store.kill_rows(bad)
        rows_2 = bad.reshape(n, 1)  # broadcasts over the two coordinates
        np.copyto(pos, self._park, where=rows_2)
        np.copyto(cols["prev_pos"][:n], self._park, where=rows_2)
        np.copyto(sep, self._zero, where=rows_2)
        for name in ("radius", "damage", "hp"):
            np.copyto(cols[name][:n], self._zero, where=bad)
        self.state.stats.nonfinite_quarantined += k

"""Distances for the nearest-responder search, shared by both presence back ends.

Candidates are ranked with a cheap local metric: flat earth around the query point with the
WGS-84 radii of curvature there, corrected to first order in latitude. Its error is about
0.05 (d / 6,371 km)^2 / cos^2(lat) of the distance d. Every candidate that could rank among the
answers within that error is then measured with geopy's `geodesic`, so the answer (people, order,
distances) is that of a geodesic scan over everyone.
"""

from __future__ import annotations

import math

from geopy.distance import geodesic

from realtime.presence import Nearby, Seen

_A, _F = 6378137.0, 1 / 298.257223563  # WGS-84
_E2 = _F * (2 - _F)
_RAD = math.pi / 180
_GEODESIC = geodesic()  # one instance: geopy then builds its geodesic solver once, not per call


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geopy's WGS-84 geodesic in metres (equal to ``geodesic(a, b).meters``, without building
    the point and distance objects for each pair)."""
    return _GEODESIC.measure((lat1, lon1), (lat2, lon2)) * 1000.0


class _Metric:
    """Approximate metres from one query point: the local metric of the module docstring."""

    def __init__(self, lat: float, lon: float) -> None:
        s, c = math.sin(lat * _RAD), math.cos(lat * _RAD)
        w = 1 - _E2 * s * s
        m, n = _A * (1 - _E2) / w**1.5, _A / math.sqrt(w)
        self.lat, self.lon = lat, lon
        self.ky, self.ky1 = m * _RAD, 1.5 * _E2 * s * c / w * _RAD  # per degree of latitude
        self.kx, self.kx1 = n * c * _RAD, m * s * _RAD * _RAD / 2  # per degree of longitude
        self._big = 0.2 / (6.371e6 * c) ** 2  # twice the measured error coefficient

    def dist(self, lat: float, lon: float) -> float:
        dy = lat - self.lat
        return math.hypot(
            self.ky * (1 + self.ky1 * dy) * dy, (self.kx - self.kx1 * dy) * (lon - self.lon)
        )

    def tol(self, d: float) -> float:
        """A bound on |metric - geodesic| at distance ``d``."""
        return 0.05 + d * (1e-6 + self._big * d * d)

    def band(self, d: float) -> float:
        """Metric distance below which someone may be geodesically as near as one at ``d``."""
        return d + 2 * self.tol(d)


def _finish(
    q: _Metric, found: list[tuple[float, Seen]], radius_m: float, limit: int
) -> list[Nearby]:
    """Exact geodesic distances for the few candidates left; the nearest ``limit`` in range."""
    out = []
    for _d, s in found:
        g = geodesic_m(q.lat, q.lon, s.lat, s.lon)
        if g <= radius_m:
            out.append(Nearby(s.user_id, s.role, g, s.lat, s.lon, s.seen_at))
    out.sort(key=lambda n: (n.distance_m, n.user_id))
    return out[:limit]

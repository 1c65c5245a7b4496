"""Outlines of French départements and régions, drawable with matplotlib alone.

The GeoJSON files (IGN ADMIN EXPRESS 2018 via france-geojson) are parsed here with the
standard ``json`` module: no GDAL, shapely or geopandas is needed. Each shape is a
*geometry*: a list of polygons, each polygon a list of rings, each ring an ``(n, 2)``
float array of (longitude, latitude) in WGS84 degrees. The first ring of a polygon is
its outer boundary and the others are holes. ``geometry_path`` turns a geometry into one
``matplotlib.path.Path`` that a ``PathPatch`` fills with its holes left empty.

Codes are normalised with ``bureau_data.codes``, so ``code`` joins the ``dep`` and
``reg`` columns of every loader. Overseas territories are at their real position;
``place_overseas`` moves them into inset boxes beside metropolitan France.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from bureau_data.codes import (
    CODE_DTYPE,
    departement_codes,
    is_overseas_departement,
    is_overseas_region,
    region_codes,
)
from bureau_data.errors import SchemaError
from bureau_data.fetch import fetch
from bureau_data.provenance import attach

DEPARTEMENTS_DATASET = "geo.departements"
DEPARTEMENTS_SIMPLIFIED_DATASET = "geo.departements.simplifie"
REGIONS_DATASET = "geo.regions"
REGIONS_SIMPLIFIED_DATASET = "geo.regions.simplifie"

# Height/width ratio that makes one kilometre as long north-south as east-west at
# the latitude of the middle of metropolitan France (46.5° N), for ``ax.set_aspect``.
ASPECT_METROPOLE = 1 / math.cos(math.radians(46.5))

COLUMNS: dict[str, str] = {
    "code": "string", "nom": "string", "outre_mer": "bool", "geometry": "object",
    "lon_min": "float64", "lat_min": "float64", "lon_max": "float64", "lat_max": "float64",
}

Geometry = list[list[np.ndarray]]


def _ring(raw: object, where: str) -> np.ndarray:
    try:
        ring = np.asarray(raw, dtype="float64")
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"{where} : anneau de coordonnées illisible ({exc}).", field="coordinates") from exc
    if ring.ndim != 2 or ring.shape[1] < 2 or len(ring) < 3:
        raise SchemaError(
            f"{where} : un anneau doit être une liste d'au moins 3 points [lon, lat], "
            f"trouvé un tableau de forme {ring.shape}.", field="coordinates", found=str(ring.shape),
        )
    ring = ring[:, :2]
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])  # GeoJSON rings are closed; close an open one
    return ring


def parse_geometry(geometry: dict, where: str = "géométrie") -> Geometry:
    """Return a GeoJSON ``Polygon`` or ``MultiPolygon`` as a list of polygons of rings.

    Raises
    ------
    SchemaError
        When the type is another one or the coordinates have the wrong shape.

    Examples
    --------
    >>> square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    >>> [[ring.shape for ring in polygon] for polygon in parse_geometry(square)]
    [[(4, 2)]]
    """
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    polygons: object
    if kind == "Polygon":
        polygons = [coordinates]
    elif kind == "MultiPolygon":
        polygons = coordinates
    else:
        raise SchemaError(
            f"{where} : type de géométrie {kind!r} non pris en charge ; attendu Polygon ou MultiPolygon.",
            field="geometry.type", found=str(kind),
        )
    if not isinstance(polygons, list) or not polygons or not all(
            isinstance(polygon, list) and polygon for polygon in polygons):
        raise SchemaError(f"{where} : coordonnées absentes ou vides.", field="geometry.coordinates")
    return [[_ring(ring, where) for ring in polygon] for polygon in polygons]


def _bounds(geometry: Geometry) -> tuple[float, float, float, float]:
    points = np.vstack([ring for polygon in geometry for ring in polygon])
    return (float(points[:, 0].min()), float(points[:, 1].min()),
            float(points[:, 0].max()), float(points[:, 1].max()))


@lru_cache(maxsize=8)
def _parse_file(path: str, sha256: str) -> pd.DataFrame:
    # Keyed on the sha256 too, so a replaced file is parsed again.
    name = Path(path).name
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{name} n'est pas un fichier GeoJSON lisible en UTF-8 : {exc}.", path=name) from exc
    features = content.get("features") if isinstance(content, dict) else None
    if content.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise SchemaError(f"{name} : une FeatureCollection GeoJSON est attendue.", path=name, field="type")
    rows = []
    for index, feature in enumerate(features):
        properties = feature.get("properties") or {}
        if "code" not in properties or "nom" not in properties:
            raise SchemaError(
                f"{name} : l'entité n° {index} n'a pas les propriétés « code » et « nom » "
                f"(trouvé : {', '.join(properties) or 'aucune'}).", path=name, field="properties.code",
            )
        where = f"{name}, entité {properties['code']}"
        geometry = parse_geometry(feature.get("geometry"), where)
        rows.append((properties["code"], properties["nom"], geometry, *_bounds(geometry)))
    return pd.DataFrame(rows, columns=["code", "nom", "geometry", "lon_min", "lat_min", "lon_max", "lat_max"])


def _load(dataset: str, kind: str) -> tuple[pd.DataFrame, list]:
    fetched = fetch(dataset)
    df = _parse_file(str(fetched.path), fetched.record.sha256).copy()
    if kind == "departement":
        df["code"] = departement_codes(df["code"], field="code")
        df["outre_mer"] = df["code"].map(is_overseas_departement).astype(bool)
    else:
        df["code"] = region_codes(df["code"], field="code")
        df["outre_mer"] = df["code"].map(is_overseas_region).astype(bool)
    df["nom"] = df["nom"].astype("string")
    return df, [fetched.record]


def _shapes(full: str, simplified_dataset: str, kind: str, overseas: bool, simplified: bool) -> pd.DataFrame:
    df, records = _load(full, kind)
    if simplified:
        metro, simple_records = _load(simplified_dataset, kind)
        df = pd.concat([metro[~metro["outre_mer"]], df[df["outre_mer"]]], ignore_index=True)
        records = simple_records + records
    if not overseas:
        df = df[~df["outre_mer"]]
    df = df.sort_values("code", ignore_index=True)[list(COLUMNS)]
    df["code"] = df["code"].astype(CODE_DTYPE)
    df.attrs = {}
    return attach(df, records)


def departements(overseas: bool = True, *, simplified: bool = False) -> pd.DataFrame:
    """Load the outlines of the départements.

    Parameters
    ----------
    overseas
        True (default) keeps the five overseas départements (971, 972, 973, 974, 976)
        at their real position; False keeps the 96 metropolitan ones.
    simplified
        True uses the strongly simplified metropolitan outlines (a lighter map for
        small figures); overseas outlines always come from the detailed file.

    Returns
    -------
    DataFrame
        One row per département, sorted by code:

        ========  ========  ====================================================
        code      string    official code: ``"01"``, ``"2A"``, ``"971"``
        nom       string    name: ``"Ain"``
        outre_mer bool      True for 971, 972, 973, 974, 976
        geometry  object    list of polygons, each a list of ``(n, 2)`` rings
                            of (longitude, latitude); first ring = outer boundary
        lon_min,  float64   bounding box in degrees
        lat_min,
        lon_max,
        lat_max
        ========  ========  ====================================================

    Notes
    -----
    Shapes are those of 2018 (IGN ADMIN EXPRESS COG); the geometry arrays are shared
    between calls, so copy them before changing them in place.

    Examples
    --------
    >>> df = departements()
    >>> len(df), df.code.iloc[0], df.loc[df.code == "2A", "nom"].item()
    (101, '01', 'Corse-du-Sud')
    """
    return _shapes(DEPARTEMENTS_DATASET, DEPARTEMENTS_SIMPLIFIED_DATASET, "departement", overseas, simplified)


def regions(overseas: bool = True, *, simplified: bool = False) -> pd.DataFrame:
    """Load the outlines of the régions (2016 boundaries and codes).

    Parameters are those of ``departements``. Overseas régions are ``01`` Guadeloupe,
    ``02`` Martinique, ``03`` Guyane, ``04`` La Réunion, ``06`` Mayotte.

    Returns
    -------
    DataFrame
        Same columns as ``departements()``, one row per région (18, or 13 without overseas).

    Examples
    --------
    >>> regions(overseas=False).code.tolist()[:3]
    ['11', '24', '27']
    """
    return _shapes(REGIONS_DATASET, REGIONS_SIMPLIFIED_DATASET, "region", overseas, simplified)


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1])) / 2


def geometry_path(geometry: Geometry):
    """Return one ``matplotlib.path.Path`` drawing every ring of a geometry.

    Fill it with ``matplotlib.patches.PathPatch``. Matplotlib fills compound paths
    with the non-zero winding rule, so each outer ring is oriented counter-clockwise
    and each hole clockwise here, whatever the orientation in the source file.

    Examples
    --------
    >>> square = parse_geometry({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    >>> geometry_path(square).vertices.shape
    (4, 2)
    """
    from matplotlib.path import Path as MplPath

    vertices: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for polygon in geometry:
        for index, ring in enumerate(polygon):
            counter_clockwise = _signed_area(ring) > 0
            if counter_clockwise != (index == 0):
                ring = ring[::-1]
            ring_codes = np.full(len(ring), MplPath.LINETO, dtype=MplPath.code_type)
            ring_codes[0] = MplPath.MOVETO
            ring_codes[-1] = MplPath.CLOSEPOLY
            vertices.append(ring)
            codes.append(ring_codes)
    return MplPath(np.vstack(vertices), np.concatenate(codes))


# Inset boxes (lon_min, lat_min, lon_max, lat_max) west of Brittany and the Bay of
# Biscay, from south to north, where no metropolitan shape is drawn. The gaps between
# boxes leave room for a name under each one.
INSET_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (-7.6, 42.0, -6.0, 43.3),
    (-7.6, 43.85, -6.0, 45.15),
    (-7.6, 45.7, -6.0, 47.0),
    (-7.6, 47.55, -6.0, 48.85),
    (-7.6, 49.4, -6.0, 50.7),
)


def place_overseas(df: pd.DataFrame, boxes: Sequence[tuple[float, float, float, float]] = INSET_BOXES) -> pd.DataFrame:
    """Return a copy of a shape table with each overseas shape moved into an inset box.

    Each overseas shape (``outre_mer`` True, in code order) is scaled to fit its box
    and centred in it; metropolitan shapes are unchanged. Overseas shapes are then
    not to scale with metropolitan France, nor with each other.

    Parameters
    ----------
    df
        A table from ``departements()`` or ``regions()``.
    boxes
        One box (lon_min, lat_min, lon_max, lat_max) per overseas shape.

    Returns
    -------
    DataFrame
        The same columns plus ``inset`` (bool), with geometry and bounds of the moved
        shapes replaced.

    Raises
    ------
    ValueError
        When there are more overseas shapes than boxes.

    Examples
    --------
    >>> moved = place_overseas(departements())
    >>> moved.loc[moved.code == "974", ["lon_min", "lon_max"]].round(1).values.tolist()
    [[-7.6, -6.0]]
    """
    overseas_rows = df.index[df["outre_mer"]].tolist()
    if len(overseas_rows) > len(boxes):
        raise ValueError(
            f"{len(overseas_rows)} territoires d'outre-mer mais seulement {len(boxes)} encadrés : "
            "passez autant d'encadrés (boxes) que de territoires."
        )
    out = df.copy()
    out["inset"] = False
    for row, box in zip(overseas_rows, boxes, strict=False):
        geometry = cast(Geometry, out.at[row, "geometry"])
        lon_min, lat_min, lon_max, lat_max = _bounds(geometry)
        box_lon_min, box_lat_min, box_lon_max, box_lat_max = box
        scale = min((box_lon_max - box_lon_min) / max(lon_max - lon_min, 1e-9),
                    (box_lat_max - box_lat_min) / max(lat_max - lat_min, 1e-9))
        source_centre = np.array([(lon_min + lon_max) / 2, (lat_min + lat_max) / 2])
        target_centre = np.array([(box_lon_min + box_lon_max) / 2, (box_lat_min + box_lat_max) / 2])
        moved = [[(ring - source_centre) * scale + target_centre for ring in polygon] for polygon in geometry]
        out.at[row, "geometry"] = moved  # type: ignore[assignment]
        out.loc[row, ["lon_min", "lat_min", "lon_max", "lat_max"]] = _bounds(moved)
        out.at[row, "inset"] = True
    return out

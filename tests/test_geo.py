"""Tests of the département and région outlines, parsed without any GIS library."""

from __future__ import annotations

import json
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402

from bureau_data import covid, geo  # noqa: E402
from bureau_data.codes import CODE_DTYPE  # noqa: E402
from bureau_data.errors import SchemaError  # noqa: E402


def test_departements_with_overseas():
    df = geo.departements()
    assert len(df) == 101
    assert df["code"].dtype == CODE_DTYPE
    assert df["code"].is_unique
    assert df.loc[df.outre_mer, "code"].tolist() == ["971", "972", "973", "974", "976"]
    assert df.loc[df.code == "2B", "nom"].item() == "Haute-Corse"
    assert df.loc[df.code == "01", "nom"].item() == "Ain"
    assert list(df.columns) == list(geo.COLUMNS)


def test_metropole_only_and_simplified():
    assert len(geo.departements(overseas=False)) == 96
    simple = geo.departements(simplified=True)
    assert len(simple) == 101
    detailed = geo.departements()
    ain_simple = sum(len(r) for p in simple.loc[simple.code == "01", "geometry"].item() for r in p)
    ain_detailed = sum(len(r) for p in detailed.loc[detailed.code == "01", "geometry"].item() for r in p)
    assert ain_simple < ain_detailed
    assert [record["dataset"] for record in simple.attrs["provenance"]] == [
        "geo.departements.simplifie", "geo.departements",
    ]


def test_regions():
    df = geo.regions()
    assert len(df) == 18
    assert df.loc[df.code == "11", "nom"].item() == "Île-de-France"
    assert df.loc[df.outre_mer, "code"].tolist() == ["01", "02", "03", "04", "06"]
    assert len(geo.regions(overseas=False)) == 13


def test_geometry_structure():
    corse = geo.departements().set_index("code").loc["2A"]
    geometry = corse["geometry"]
    assert isinstance(geometry, list)
    for polygon in geometry:
        for ring in polygon:
            assert ring.dtype == np.float64
            assert ring.shape[1] == 2
            assert np.array_equal(ring[0], ring[-1])
    assert 8.5 < corse["lon_min"] < corse["lon_max"] < 9.6
    assert 41.3 < corse["lat_min"] < corse["lat_max"] < 42.4


def test_codes_join_hospital_file():
    shapes = geo.departements()
    hospital = covid.hospitalisations()
    assert set(hospital["dep"]) == set(shapes["code"])
    merged = hospital[hospital.jour == "2020-04-14"].merge(shapes, left_on="dep", right_on="code")
    assert len(merged) == 101


def test_codes_join_vaccination_regions():
    regions = set(geo.regions()["code"])
    vaccination = set(covid.vaccination_regions()["reg"])
    assert vaccination - regions == {"07", "08"}


def test_drawing_with_matplotlib_only():
    df = geo.departements(overseas=False, simplified=True)
    fig, ax = plt.subplots()
    for geometry in df["geometry"]:
        ax.add_patch(PathPatch(geo.geometry_path(geometry), facecolor="0.8", edgecolor="white"))
    ax.autoscale_view()
    ax.set_aspect(geo.ASPECT_METROPOLE)
    fig.canvas.draw()
    assert len(ax.patches) == 96
    x0, x1 = ax.get_xlim()
    assert x0 < -4.5
    assert x1 > 9.5
    plt.close(fig)
    assert "geopandas" not in sys.modules
    assert "shapely" not in sys.modules


def test_path_keeps_holes():
    # A square with a square hole of the same orientation: the rendered centre stays blank.
    square = {"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
    ]}
    path = geo.geometry_path(geo.parse_geometry(square))
    fig, ax = plt.subplots(figsize=(2, 2), dpi=50)
    ax.add_patch(PathPatch(path, facecolor="black", edgecolor="none"))
    ax.set_xlim(0, 4)
    ax.set_ylim(0, 4)
    ax.axis("off")
    fig.subplots_adjust(0, 0, 1, 1)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    plt.close(fig)
    assert pixels[50, 50, :3].tolist() == [255, 255, 255]  # centre of the hole
    assert pixels[10, 10, :3].tolist() == [0, 0, 0]  # inside the frame


def test_multipolygon_and_open_ring():
    shape = {"type": "MultiPolygon", "coordinates": [
        [[[0, 0], [1, 0], [1, 1]]],
        [[[5, 5], [6, 5], [6, 6], [5, 5]]],
    ]}
    geometry = geo.parse_geometry(shape)
    assert len(geometry) == 2
    assert geometry[0][0].shape == (4, 2)  # the open ring was closed


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, "'Point' non pris en charge"),
        ({"type": "Polygon", "coordinates": []}, "coordonnées absentes"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "au moins 3 points"),
        ({"type": "Polygon", "coordinates": [[["a", "b"], [1, 1], [2, 2]]]}, "illisible"),
    ],
)
def test_invalid_geometry(shape, message):
    with pytest.raises(SchemaError, match=message):
        geo.parse_geometry(shape)


def test_feature_without_code(tmp_path):
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ain"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
    ]}), encoding="utf-8")
    with pytest.raises(SchemaError, match="« code » et « nom ».*trouvé : name"):
        geo._parse_file(str(path), "x")


def test_overseas_insets():
    moved = geo.place_overseas(geo.departements())
    insets = moved[moved.inset]
    assert insets["code"].tolist() == ["971", "972", "973", "974", "976"]
    for row, box in zip(insets.itertuples(), geo.INSET_BOXES, strict=True):
        assert box[0] - 1e-9 <= row.lon_min
        assert row.lon_max <= box[2] + 1e-9
        assert box[1] - 1e-9 <= row.lat_min
        assert row.lat_max <= box[3] + 1e-9
    metro = geo.departements(overseas=False)
    assert metro["lon_min"].min() > geo.INSET_BOXES[0][2]
    original = geo.departements()
    assert original.loc[original.code == "974", "lon_min"].item() > 55


def test_too_few_boxes():
    with pytest.raises(ValueError, match="5 territoires d'outre-mer mais seulement 2 encadrés"):
        geo.place_overseas(geo.departements(), boxes=geo.INSET_BOXES[:2])

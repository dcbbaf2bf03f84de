"""The hostile workbench itself: a copied project builds, and a no-change build publishes the same bytes."""


def test_a_copied_project_rebuilds_its_own_report_unchanged(hostile):
    before = hostile.published()
    outside = hostile.outside()
    result = hostile.run("build", "--year", "2022", fresh=True)  # a real process, start to exit
    assert result.code == 0, result.said
    assert str(hostile.root / "build") in result.out
    after = hostile.published()
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if k != "2022/manifest.json"} == {
        k: v for k, v in before.items() if k != "2022/manifest.json"}
    assert hostile.outside() == outside

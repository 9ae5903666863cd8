"""The small kustomize renderer the deployment checks build the overlays with."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.deploy.kustomize import KustomizeError, build


def _write(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return directory


DEPLOYMENT = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
            - name: app
              image: registry.example.com/app:1.0
              env:
                - {name: A, value: "1"}
            - name: sidecar
              image: busybox:1.36
    ---
    apiVersion: v1
    kind: Namespace
    metadata:
      name: todo
    ---
    apiVersion: ray.io/v1
    kind: RayCluster
    metadata:
      name: ray
    spec:
      workerGroupSpecs:
        - groupName: a
          maxReplicas: 1
          template:
            spec:
              containers:
                - name: w
                  image: registry.example.com/app:1.0
"""


def test_overlay_patches_namespaces_labels_and_images(tmp_path):
    _write(
        tmp_path,
        {
            "base/kustomization.yaml": """
                namespace: todo
                labels:
                  - pairs: {part-of: todo}
                resources: [all.yaml]
            """,
            "base/all.yaml": DEPLOYMENT,
            "overlay/kustomization.yaml": """
                resources: [../base]
                images:
                  - {name: registry.example.com/app, newName: local/app, newTag: dev}
                patches:
                  - path: env.yaml
                  - target: {kind: RayCluster, name: ray}
                    patch: |-
                      - {op: replace, path: /spec/workerGroupSpecs/0/maxReplicas, value: 3}
                      - {op: add, path: /spec/suspend, value: true}
            """,
            "overlay/env.yaml": """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  template:
                    spec:
                      containers:
                        - name: app
                          env:
                            - {name: B, value: "2"}
            """,
        },
    )
    deployment, namespace, ray = build(tmp_path / "overlay")
    containers = deployment["spec"]["template"]["spec"]["containers"]
    # Built-in kinds merge lists by name: the sidecar and env A stay, B is added.
    assert [c["name"] for c in containers] == ["app", "sidecar"]
    assert containers[0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert containers[0]["image"] == "local/app:dev"
    assert containers[1]["image"] == "busybox:1.36"
    # Images are retagged in custom resources too, wherever a containers list is.
    assert ray["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["image"] == (
        "local/app:dev"
    )
    assert ray["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 3
    assert ray["spec"]["suspend"] is True
    assert deployment["metadata"]["namespace"] == "todo"
    assert "namespace" not in namespace["metadata"]  # cluster-scoped
    assert deployment["metadata"]["labels"] == {"part-of": "todo"}


def test_custom_resource_lists_are_replaced_whole_like_kustomize(tmp_path):
    _write(
        tmp_path,
        {
            "kustomization.yaml": "resources: [all.yaml]\npatches: [{path: patch.yaml}]\n",
            "all.yaml": DEPLOYMENT,
            "patch.yaml": """
                apiVersion: ray.io/v1
                kind: RayCluster
                metadata: {name: ray}
                spec:
                  workerGroupSpecs:
                    - groupName: a
                      maxReplicas: 2
            """,
        },
    )
    ray = build(tmp_path)[2]
    assert ray["spec"]["workerGroupSpecs"] == [{"groupName": "a", "maxReplicas": 2}]


def test_config_map_generator_reads_files_with_a_fixed_name(tmp_path):
    _write(
        tmp_path,
        {
            "kustomization.yaml": """
                configMapGenerator:
                  - name: dash
                    files: [d/board.json]
                    literals: [mode=dark]
                    options:
                      disableNameSuffixHash: true
                      labels: {grafana_dashboard: "1"}
            """,
            "d/board.json": '{"a": 1}\n',
        },
    )
    (config_map,) = build(tmp_path)
    assert config_map["metadata"] == {"name": "dash", "labels": {"grafana_dashboard": "1"}}
    assert config_map["data"] == {"board.json": '{"a": 1}\n', "mode": "dark"}


@pytest.mark.parametrize(
    ("kustomization", "message"),
    [
        ("replicas: [{name: web, count: 2}]\n", "unsupported fields"),
        ("resources: [missing.yaml]\n", "does not exist"),
        ("configMapGenerator: [{name: c, literals: [a=b]}]\n", "fixed name"),
        ("resources: [all.yaml, all.yaml]\n", "defined twice"),
        (
            "resources: [all.yaml]\npatches:\n  - target: {kind: Deployment, name: web}\n"
            "    patch: '[{op: move, from: /a, path: /b}]'\n",
            "unsupported JSON6902 op",
        ),
    ],
)
def test_features_it_does_not_support_fail_loudly(tmp_path, kustomization, message):
    _write(tmp_path, {"kustomization.yaml": kustomization, "all.yaml": DEPLOYMENT})
    with pytest.raises(KustomizeError, match=message):
        build(tmp_path)

"""Every resource of every overlay renders and validates: built-in kinds with
kubernetes-validate --strict, RayCluster/RayJob against KubeRay's CRDs, the operators' custom
resources against the structural schemas in schemas.py. No resource kind goes unchecked."""

from __future__ import annotations

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.schemas import CRD_FILES, CUSTOM_RESOURCE_SCHEMAS, crd_schema

KUBERNETES_VERSION = "1.33.0"
NAMESPACE = "todo"
CLUSTER_SCOPED = {"Namespace", "ClusterIssuer"}


def _name(resource):
    return f"{resource['kind']}/{resource['metadata']['name']}"


def is_builtin(resource):
    """A Kubernetes kind (core or *.k8s.io group), as opposed to a custom resource."""
    group = resource["apiVersion"].rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def test_every_resource_is_named_and_lives_in_the_namespace(rendered, overlay):
    for resource in rendered[overlay]:
        assert resource["metadata"]["name"], resource
        expected = None if resource["kind"] in CLUSTER_SCOPED else NAMESPACE
        assert resource["metadata"].get("namespace") == expected, _name(resource)


def test_builtin_kinds_pass_strict_kubernetes_validation(rendered, overlay, secret_templates):
    builtin = [r for r in rendered[overlay] + secret_templates if is_builtin(r)]
    assert len(builtin) > 30
    for resource in builtin:
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{overlay} {_name(resource)}: {exc.message} at {list(exc.path)}")


def test_every_custom_resource_has_a_schema(rendered, overlay):
    kinds = {r["kind"] for r in rendered[overlay] if not is_builtin(r)}
    assert kinds <= set(CRD_FILES) | set(CUSTOM_RESOURCE_SCHEMAS)


def test_ray_resources_validate_against_the_kuberay_crds(rendered, overlay):
    ray = [r for r in rendered[overlay] if r["kind"] in CRD_FILES]
    assert sorted(r["kind"] for r in ray) == ["RayCluster", "RayJob"]
    for resource in ray:
        assert resource["apiVersion"] == "ray.io/v1"
        jsonschema.validate(resource, crd_schema(resource["kind"]))


def test_the_crd_check_rejects_what_kuberay_would(rendered):
    cluster = next(r for r in rendered["production"] if r["kind"] == "RayCluster")
    broken = {**cluster, "spec": {**cluster["spec"], "authOption": {"mode": "token"}}}
    with pytest.raises(jsonschema.ValidationError, match="authOption"):
        jsonschema.validate(broken, crd_schema("RayCluster"))
    bad_mode = {**cluster, "spec": {**cluster["spec"], "authOptions": {"mode": "password"}}}
    with pytest.raises(jsonschema.ValidationError, match="password"):
        jsonschema.validate(bad_mode, crd_schema("RayCluster"))


def test_operator_resources_match_their_structure(rendered, overlay):
    checked = 0
    for resource in rendered[overlay]:
        schema = CUSTOM_RESOURCE_SCHEMAS.get(resource["kind"])
        if schema is not None:
            jsonschema.validate(resource, schema)
            checked += 1
    assert checked >= 15


def test_the_structure_check_rejects_a_zookeeper_cluster(rendered):
    kafka = next(r for r in rendered["local"] if r["kind"] == "Kafka")
    legacy = {**kafka, "spec": {**kafka["spec"], "zookeeper": {"replicas": 3}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(legacy, CUSTOM_RESOURCE_SCHEMAS["Kafka"])

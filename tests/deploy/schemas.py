"""Schemas for the custom resources of kuberay/.

RayCluster and RayJob: the openAPIV3Schema of KubeRay's own CRDs (vendored in kuberay/crds/),
made strict the way the API server's strict field validation is (an unknown field is an error,
except under x-kubernetes-preserve-unknown-fields).

Strimzi, cert-manager and Prometheus Operator resources: their CRDs are not vendored (they are
large and not needed to run the app), so they are checked against the small structural schemas
below: apiVersion, kind, the fields each operator requires and the types of the fields these
manifests set. Fields of theirs we do not use pass unchecked.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

CRDS = Path(__file__).resolve().parents[2] / "kuberay" / "crds"
CRD_FILES = {"RayCluster": "ray.io_rayclusters.yaml", "RayJob": "ray.io_rayjobs.yaml"}


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        schema = {key: _strict(value) for key, value in schema.items()}
        if (
            schema.get("type") == "object"
            and "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        if schema.get("x-kubernetes-int-or-string"):
            schema.pop("type", None)
            schema.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
        return schema
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def crd_schema(kind: str, version: str = "v1") -> dict[str, Any]:
    """The strict JSON schema of `kind` (ray.io/`version`) from the vendored CRD."""
    with (CRDS / CRD_FILES[kind]).open() as handle:
        crd = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    (served,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    schema = _strict(served["schema"]["openAPIV3Schema"])
    # metadata is validated by the API server's ObjectMeta, not the CRD: name is what we need.
    schema["properties"]["metadata"] = {"type": "object", "required": ["name"]}
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
    return schema


def _object(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required or [], "properties": properties}


STRING = {"type": "string"}
INTEGER = {"type": "integer", "minimum": 1}
LABEL_MAP = {"type": "object", "additionalProperties": STRING}
SELECTOR = _object(["matchLabels"], matchLabels=LABEL_MAP)
CLUSTER_LABEL = _object(
    ["labels"], labels=_object(["strimzi.io/cluster"], **{"strimzi.io/cluster": STRING})
)


def _resource(api_version: str, kind: str, spec: dict[str, Any], metadata: Any = None) -> Any:
    return _object(
        ["apiVersion", "kind", "metadata", "spec"],
        apiVersion={"const": api_version},
        kind={"const": kind},
        metadata=metadata or _object(["name"]),
        spec=spec,
    )


STRIMZI = "kafka.strimzi.io/v1"
LISTENER = _object(
    ["name", "port", "type", "tls"],
    name={"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
    port={"type": "integer", "minimum": 9092},
    type={"enum": ["internal", "route", "loadbalancer", "nodeport", "ingress", "cluster-ip"]},
    tls={"type": "boolean"},
    authentication=_object(["type"], type={"enum": ["tls", "scram-sha-512", "custom", "oauth"]}),
)
ACL = _object(
    ["resource", "operations"],
    resource=_object(
        ["type"],
        type={"enum": ["topic", "group", "cluster", "transactionalId"]},
        patternType={"enum": ["literal", "prefix"]},
    ),
    operations={
        "type": "array",
        "items": {
            "enum": [
                "Read",
                "Write",
                "Create",
                "Delete",
                "Alter",
                "Describe",
                "ClusterAction",
                "AlterConfigs",
                "DescribeConfigs",
                "IdempotentWrite",
                "All",
            ]
        },
    },
)
CUSTOM_RESOURCE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Kafka": _resource(
        STRIMZI,
        "Kafka",
        _object(
            ["kafka"],
            kafka=_object(
                ["listeners"],
                version={"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
                listeners={"type": "array", "minItems": 1, "items": LISTENER},
                authorization=_object(["type"], type={"enum": ["simple", "opa", "custom"]}),
                config={"type": "object"},
                # ZooKeeper is gone: KRaft node pools only.
                replicas={"not": {}},
                storage={"not": {}},
                zookeeper={"not": {}},
            ),
            zookeeper={"not": {}},
            entityOperator=_object(
                topicOperator={"type": "object"}, userOperator={"type": "object"}
            ),
            kafkaExporter=_object(topicRegex=STRING, groupRegex=STRING),
        ),
    ),
    "KafkaNodePool": _resource(
        STRIMZI,
        "KafkaNodePool",
        _object(
            ["replicas", "roles", "storage"],
            replicas=INTEGER,
            roles={"type": "array", "minItems": 1, "items": {"enum": ["controller", "broker"]}},
            storage=_object(["type"], type={"enum": ["jbod", "persistent-claim", "ephemeral"]}),
        ),
        CLUSTER_LABEL,
    ),
    "KafkaTopic": _resource(
        STRIMZI,
        "KafkaTopic",
        _object(
            ["partitions", "replicas"],
            topicName=STRING,
            partitions=INTEGER,
            replicas={"type": "integer", "minimum": 1, "maximum": 32767},
            config={"type": "object"},
        ),
        CLUSTER_LABEL,
    ),
    "KafkaUser": _resource(
        STRIMZI,
        "KafkaUser",
        _object(
            ["authentication"],
            authentication=_object(
                ["type"], type={"enum": ["tls", "tls-external", "scram-sha-512"]}
            ),
            authorization=_object(
                ["type", "acls"], type={"const": "simple"}, acls={"type": "array", "items": ACL}
            ),
        ),
        CLUSTER_LABEL,
    ),
    "ClusterIssuer": _resource(
        "cert-manager.io/v1",
        "ClusterIssuer",
        {
            "type": "object",
            "minProperties": 1,
            "properties": {
                "selfSigned": {"type": "object"},
                "acme": _object(
                    ["server", "privateKeySecretRef", "solvers"],
                    server={"type": "string", "pattern": "^https://"},
                    email=STRING,
                    privateKeySecretRef=_object(["name"], name=STRING),
                    solvers={"type": "array", "minItems": 1},
                ),
            },
            "additionalProperties": False,
        },
    ),
    "ServiceMonitor": _resource(
        "monitoring.coreos.com/v1",
        "ServiceMonitor",
        _object(
            ["selector", "endpoints"],
            selector=SELECTOR,
            endpoints={
                "type": "array",
                "minItems": 1,
                "items": _object(["port", "path"], port=STRING, path=STRING, interval=STRING),
            },
        ),
    ),
    "PodMonitor": _resource(
        "monitoring.coreos.com/v1",
        "PodMonitor",
        _object(
            ["selector", "podMetricsEndpoints"],
            selector=SELECTOR,
            podMetricsEndpoints={
                "type": "array",
                "minItems": 1,
                "items": _object(["port", "path"], port=STRING, path=STRING, interval=STRING),
            },
        ),
    ),
    "PrometheusRule": _resource(
        "monitoring.coreos.com/v1",
        "PrometheusRule",
        _object(
            ["groups"],
            groups={
                "type": "array",
                "minItems": 1,
                "items": _object(
                    ["name", "rules"],
                    name=STRING,
                    rules={
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["alert", "expr", "labels", "annotations"],
                            "additionalProperties": False,
                            "properties": {
                                "alert": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$"},
                                "expr": STRING,
                                "for": {"type": "string", "pattern": r"^\d+[smh]$"},
                                "labels": _object(["severity"], severity=STRING),
                                "annotations": _object(["summary", "description"]),
                            },
                        },
                    },
                ),
            },
        ),
    ),
}

"""The manifests agree with the code: settings, topics, routes, metrics and pod hardening."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

from reflex.constants import Endpoint

from tests.deploy.conftest import KUBERAY, ROOT
from todo_app.bus import BusConfig
from todo_app.config import Settings, load_settings
from todo_app.core.events import TOPICS

# Settings the manifests leave unset on purpose, and why.
SET_ELSEWHERE = {
    "RAY_ADDRESS": "Ray sets it for the job that runs `workers up`; `status`/`down` use auto",
}
# Metrics of components the manifests deploy or configure, not of our code.
PLATFORM_METRICS = {
    "kafka_topic_partition_current_offset": "Strimzi Kafka exporter (Kafka spec.kafkaExporter)",
    "kafka_topic_partition_oldest_offset": "Strimzi Kafka exporter (Kafka spec.kafkaExporter)",
    "kube_pod_container_status_waiting_reason": "kube-state-metrics (kube-prometheus-stack)",
}
PROMQL_WORDS = {
    "sum", "max", "min", "rate", "increase", "delta", "deriv", "by", "and", "or", "unless",
    "histogram_quantile", "le", "without", "on", "ignoring", "avg", "count", "bool",
}  # fmt: skip


def _one(resources, kind, name):
    (found,) = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def _env_names_read_by_settings() -> set[str]:
    return {str(field.alias) for field in Settings.model_fields.values()}


def _secret_keys(secret_templates) -> set[str]:
    keys: set[str] = set()
    for secret in secret_templates:
        keys |= set(secret["stringData"])
    return keys


def test_every_setting_the_app_reads_is_configured(rendered, overlay, secret_templates):
    names = _env_names_read_by_settings()
    assert {"DATABASE_URL", "JWT_SECRET", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST"} <= names
    config = _one(rendered[overlay], "ConfigMap", "todo-config")["data"]
    secret_keys = _secret_keys(secret_templates)
    missing = names - set(config) - secret_keys - set(SET_ELSEWHERE)
    assert not missing, f"not in the ConfigMap nor a Secret template: {sorted(missing)}"
    assert not set(config) & secret_keys, "a setting is both in the ConfigMap and a Secret"


def test_secret_templates_hold_no_real_secret(secret_templates):
    for secret in secret_templates:
        for key, value in secret["stringData"].items():
            assert value == "" or "CHANGE-ME" in value or key.endswith("USERNAME"), key


def test_pods_get_the_config_and_secrets_they_reference(rendered, overlay, secret_templates):
    resources = rendered[overlay]
    config_maps = {r["metadata"]["name"] for r in resources if r["kind"] == "ConfigMap"}
    secrets = {s["metadata"]["name"] for s in secret_templates}
    # Made by operators: Strimzi's cluster CA; cert-manager's TLS certificate.
    secrets |= {"todo-kafka-cluster-ca-cert"}
    text = json.dumps(resources)
    for name in re.findall(r'"configMapRef": \{"name": "([^"]+)"', text):
        assert name in config_maps
    for name in re.findall(r'"(?:secretRef|secretKeyRef)": \{"name": "([^"]+)"', text):
        assert name in secrets
    for name in re.findall(r'"secretName": "([^"]+)"', text):
        assert name in secrets | {"todo-tls", "todo-ray-auth"}


def test_every_topic_has_a_kafka_topic_with_the_partitions_the_bus_expects(rendered, overlay):
    resources = rendered[overlay]
    topics = {r["spec"]["topicName"]: r["spec"] for r in resources if r["kind"] == "KafkaTopic"}
    expected = {*TOPICS, *(f"{topic}.dlq" for topic in TOPICS)}
    assert set(topics) == expected
    config = _one(resources, "ConfigMap", "todo-config")["data"]
    settings = load_settings_from(config)
    bus = BusConfig.from_settings(settings)
    for name, spec in topics.items():
        assert spec["partitions"] == bus.partitions_for(name), name
    assert topics["task-events"]["partitions"] == 12
    brokers = _one(resources, "KafkaNodePool", "dual-role")["spec"]["replicas"]
    assert brokers == {"local": 1, "production": 3}[overlay]
    day = 24 * 3600 * 1000
    for name, spec in topics.items():
        assert spec["replicas"] == brokers
        assert spec["config"]["retention.ms"] == (14 if name.endswith(".dlq") else 7) * day
        assert spec["config"]["min.insync.replicas"] <= brokers


def load_settings_from(config: dict[str, str]):
    import os

    saved = dict(os.environ)
    try:
        os.environ.update(config)
        return load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_kafka_user_is_the_one_the_pods_log_in_as(rendered, overlay, secret_templates):
    user = _one(rendered[overlay], "KafkaUser", "todo-app")
    (template,) = [s for s in secret_templates if s["metadata"]["name"] == "todo-kafka-user"]
    assert template["stringData"]["KAFKA_SASL_USERNAME"] == user["metadata"]["name"]
    listener = _one(rendered[overlay], "Kafka", "todo-kafka")["spec"]["kafka"]["listeners"][0]
    config = _one(rendered[overlay], "ConfigMap", "todo-config")["data"]
    assert config["KAFKA_BOOTSTRAP_SERVERS"] == f"todo-kafka-kafka-bootstrap:{listener['port']}"
    assert listener["tls"] and config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"


def test_probes_point_at_routes_that_exist(rendered, overlay, app_client):
    backend = _one(rendered[overlay], "Deployment", "todo-backend")
    (container,) = backend["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert app_client.get(container[probe]["httpGet"]["path"]).status_code == 200
    nginx_conf = (ROOT / "docker" / "nginx.conf").read_text()
    frontend = _one(rendered[overlay], "Deployment", "todo-frontend")
    for probe in ("livenessProbe", "readinessProbe"):
        path = frontend["spec"]["template"]["spec"]["containers"][0][probe]["httpGet"]["path"]
        assert f"location = {path} " in nginx_conf


# A request under each backend prefix of the ingress that the backend must answer (not 404).
INGRESS_PROBES = {"/api": "/api/v1/openapi.json", "/mcp": "/mcp"}


def test_ingress_sends_backend_paths_to_routes_that_exist(rendered, overlay, app_client):
    ingress = _one(rendered[overlay], "Ingress", "todo")
    (rule,) = ingress["spec"]["rules"]
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]
    assert "cert-manager.io/cluster-issuer" in ingress["metadata"]["annotations"]
    config = _one(rendered[overlay], "ConfigMap", "todo-config")["data"]
    assert urlparse(config["REFLEX_API_URL"]).hostname == rule["host"]
    reflex_paths = {"/" + endpoint.value for endpoint in Endpoint}
    for path in rule["http"]["paths"]:
        service = path["backend"]["service"]["name"]
        if path["path"] == "/":
            assert service == "todo-frontend"
            continue
        assert service == "todo-backend"
        prefix = path["path"]
        if prefix in reflex_paths:  # served by Reflex itself around the mounted API
            continue
        assert app_client.get(INGRESS_PROBES[prefix]).status_code != 404, prefix
    assert not any(p["path"] in ("/metrics", "/health") for p in rule["http"]["paths"])


def test_the_ingress_certificate_issuer_is_the_overlays_cluster_issuer(rendered, overlay):
    ingress = _one(rendered[overlay], "Ingress", "todo")
    name = ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    issuer = _one(rendered[overlay], "ClusterIssuer", name)
    assert "namespace" not in issuer["metadata"]  # cluster-scoped: kustomize must not set one
    assert set(issuer["spec"]) == {"local": {"selfSigned"}, "production": {"acme"}}[overlay]


def _metric_names(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r'"[^"]*"', "", expr)
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {w for w in words - PROMQL_WORDS if "_" in w and not re.fullmatch(r"\d+[smh]", w)}


def _alert_and_dashboard_exprs(resources) -> list[str]:
    rules = _one(resources, "PrometheusRule", "todo-alerts")
    exprs = [rule["expr"] for group in rules["spec"]["groups"] for rule in group["rules"]]
    dashboard = json.loads(
        _one(resources, "ConfigMap", "todo-grafana-dashboard")["data"]["todo.json"]
    )
    exprs += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return exprs


def test_every_metric_in_alerts_and_dashboard_is_exported(
    rendered, app_metric_names, worker_metric_names
):
    exprs = _alert_and_dashboard_exprs(rendered["production"])
    used = set().union(*map(_metric_names, exprs))
    exported = app_metric_names | worker_metric_names | set(PLATFORM_METRICS)
    assert not used - exported, f"nothing exports {sorted(used - exported)}"
    # Each of ours is used: a renamed metric cannot leave a silent alert behind.
    assert {"todo_outbox_backlog", "ray_todo_worker_consumer_lag"} <= used
    kafka = _one(rendered["production"], "Kafka", "todo-kafka")
    assert "kafkaExporter" in kafka["spec"]


def test_alerts_cover_what_operators_are_paged_for(rendered):
    rules = _one(rendered["production"], "PrometheusRule", "todo-alerts")
    alerts = {r["alert"]: r for g in rules["spec"]["groups"] for r in g["rules"]}
    assert set(alerts) == {
        "TodoHighErrorRate", "TodoHighLatency", "TodoOutboxBacklogGrowing",
        "TodoConsumerLagGrowing", "TodoDeadLetters", "TodoRemindersLate", "TodoPodCrashLooping",
    }  # fmt: skip
    assert "> 0.05" in alerts["TodoHighErrorRate"]["expr"]
    assert alerts["TodoHighErrorRate"]["for"] == "5m"
    assert "histogram_quantile(0.95" in alerts["TodoHighLatency"]["expr"]
    assert "> 2" in alerts["TodoHighLatency"]["expr"]


def _pod_specs(resources):
    for resource in resources:
        spec = resource.get("spec", {})
        if resource["kind"] in ("Deployment", "StatefulSet", "Job"):
            yield resource, spec["template"]["spec"]
        elif resource["kind"] == "RayCluster":
            yield resource, spec["headGroupSpec"]["template"]["spec"]
            for group in spec["workerGroupSpecs"]:
                yield resource, group["template"]["spec"]
        elif resource["kind"] == "RayJob":
            yield resource, spec["submitterPodTemplate"]["spec"]


def test_every_pod_is_non_root_read_only_without_escalation(rendered, overlay):
    count = 0
    for resource, pod in _pod_specs(rendered[overlay]):
        assert pod["securityContext"]["runAsNonRoot"] is True, resource["metadata"]["name"]
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["capabilities"]["drop"] == ["ALL"]
            assert "limits" in container["resources"] and "requests" in container["resources"]
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
        count += 1
    assert count >= 7


def test_local_overlay_runs_the_locally_built_images_in_every_pod(rendered):
    images = {
        container["image"]
        for _, pod in _pod_specs(rendered["local"])
        for container in pod["containers"]
    }
    ours = {image for image in images if "/todo/" in image}
    # Custom resources (RayCluster, RayJob) included: kustomize retags containers anywhere.
    assert ours == {f"localhost:5001/todo/{name}:dev" for name in ("backend", "frontend", "worker")}


def test_backend_scales_2_to_20_on_cpu_and_keeps_one_through_disruptions(rendered, overlay):
    hpa = _one(rendered[overlay], "HorizontalPodAutoscaler", "todo-backend")["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 20)
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    pdb = _one(rendered[overlay], "PodDisruptionBudget", "todo-backend")["spec"]
    assert pdb["minAvailable"] == 1
    backend = _one(rendered[overlay], "Deployment", "todo-backend")
    command = backend["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command == ["reflex", "run", "--env", "prod", "--backend-only"]
    migrate = _one(rendered[overlay], "Job", "todo-migrate")
    assert migrate["spec"]["template"]["spec"]["containers"][0]["command"] == [
        "reflex", "db", "migrate",
    ]  # fmt: skip


def test_services_and_monitors_select_pods_that_exist(rendered, overlay):
    resources = rendered[overlay]
    pod_labels = [pod_labels_of(r) for r in resources]
    for resource in resources:
        if resource["kind"] == "Service":
            selector = resource["spec"]["selector"]
        elif resource["kind"] == "ServiceMonitor":
            selector = resource["spec"]["selector"]["matchLabels"]
            assert any(
                r["kind"] == "Service" and selector.items() <= r["metadata"]["labels"].items()
                for r in resources
            )
            continue
        else:
            continue
        assert any(selector.items() <= labels.items() for labels in pod_labels if labels)


def pod_labels_of(resource) -> dict[str, str]:
    spec = resource.get("spec", {})
    if resource["kind"] in ("Deployment", "StatefulSet"):
        return spec["template"]["metadata"]["labels"]
    return {}


def test_ray_cluster_survives_head_restarts_and_requires_a_token(rendered, overlay):
    cluster = _one(rendered[overlay], "RayCluster", "todo-ray")["spec"]
    assert cluster["authOptions"] == {"mode": "token", "secretName": "todo-ray-auth"}
    redis = cluster["gcsFaultToleranceOptions"]["redisAddress"]
    service = _one(rendered[overlay], "Service", redis.split(":")[0])
    assert service["spec"]["ports"][0]["port"] == int(redis.split(":")[1])
    assert cluster["enableInTreeAutoscaling"] is True
    workers = cluster["workerGroupSpecs"][0]
    assert workers["minReplicas"] < workers["maxReplicas"]
    assert cluster["headGroupSpec"]["serviceType"] == "ClusterIP"  # dashboard stays inside
    assert not any(
        r["kind"] == "Ingress" and "ray" in json.dumps(r["spec"]) for r in rendered[overlay]
    )
    job = _one(rendered[overlay], "RayJob", "todo-workers-up")["spec"]
    assert job["clusterSelector"] == {"ray.io/cluster": "todo-ray"}
    assert job["entrypoint"] == "python -m workers up"


def test_network_policies_deny_by_default(rendered, overlay):
    deny = _one(rendered[overlay], "NetworkPolicy", "default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    postgres = [r for r in rendered[overlay] if r["metadata"]["name"] == "todo-postgres"]
    assert bool(postgres) == (overlay == "local")


def test_dockerfiles_are_multi_stage_pinned_and_non_root():
    for name in ("backend", "worker", "frontend"):
        text = (ROOT / "docker" / f"{name}.Dockerfile").read_text()
        bases = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
        assert len(bases) >= 2, name
        for base in bases:
            if base in re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, flags=re.MULTILINE | re.I):
                continue
            assert re.search(r":[0-9][^:]*$", base), f"{name}: {base} is not pinned"
        user = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)[-1]
        assert user.split(":")[0] not in ("root", "0"), name
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".web", "data", ".git"} <= {line.strip("/") for line in ignored}


def test_the_overlays_differ_only_where_they_should(rendered):
    local = {(r["kind"], r["metadata"]["name"]) for r in rendered["local"]}
    production = {(r["kind"], r["metadata"]["name"]) for r in rendered["production"]}
    assert local - production == {
        ("StatefulSet", "todo-postgres"), ("Service", "todo-postgres"),
        ("NetworkPolicy", "postgres-from-clients"),
    }  # fmt: skip
    assert production <= local
    assert Path(KUBERAY / "base" / "dashboards" / "todo.json").exists()


def test_metric_names_are_read_from_promql_like_prometheus_would():
    expr = (
        'sum by (worker) (increase(ray_todo_x_total{worker="a b"}[1h])) > 0 '
        "and histogram_quantile(0.95, sum by (le) (rate(todo_y_bucket[5m]))) > 2"
    )
    assert _metric_names(expr) == {"ray_todo_x_total", "todo_y_bucket"}

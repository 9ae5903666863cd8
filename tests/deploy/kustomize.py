"""A small `kustomize build` in Python, for exactly the features kuberay/ uses.

Supported in a kustomization.yaml: `resources` (YAML files and directories holding a
kustomization), `namespace`, `labels` (`pairs` added to every resource's metadata.labels),
`images` (`name` -> `newName`/`newTag`/`digest`, in every `containers`/`initContainers` list
anywhere in a resource, custom resources included, as kustomize does), `configMapGenerator` (from
`files` and `literals`, with `options.disableNameSuffixHash: true` only: a hashed name would need
reference rewriting), and `patches`: a file or inline strategic-merge patch targeting its own
kind and name, or a JSON6902 patch (`add`, `replace`, `remove`) with a `target`. Anything else
raises, so a manifest cannot silently use a feature the checks do not understand.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]

KNOWN_FIELDS = {
    "apiVersion",
    "kind",
    "resources",
    "namespace",
    "labels",
    "images",
    "patches",
    "configMapGenerator",
}
# Kinds without a namespace: the namespace transformer leaves them alone.
CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "ClusterIssuer",
    "CustomResourceDefinition",
    "PriorityClass",
    "StorageClass",
}
# Strategic merge keys of the built-in kinds' lists our patches touch; other lists, and every list
# of a custom resource (kustomize has no schema for them), are replaced whole.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "ports": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
}


class KustomizeError(ValueError):
    """A kustomization this renderer cannot build faithfully."""


def load_documents(path: Path) -> list[Resource]:
    with path.open() as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def build(directory: Path) -> list[Resource]:
    """The resources `kustomize build directory` would print, in order."""
    path = directory / "kustomization.yaml"
    if not path.exists():
        raise KustomizeError(f"{directory}: no kustomization.yaml")
    spec = yaml.safe_load(path.read_text()) or {}
    unknown = set(spec) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError(f"{path}: unsupported fields {sorted(unknown)}")
    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        target = directory / entry
        if target.is_dir():
            resources.extend(build(target))
        elif target.is_file():
            resources.extend(load_documents(target))
        else:
            raise KustomizeError(f"{path}: resource {entry} does not exist")
    resources.extend(_generate_config_maps(directory, spec.get("configMapGenerator", [])))
    for patch in spec.get("patches", []):
        _apply_patch(directory, resources, patch)
    if "namespace" in spec:
        for resource in resources:
            if resource["kind"] not in CLUSTER_SCOPED:
                resource.setdefault("metadata", {})["namespace"] = spec["namespace"]
    for group in spec.get("labels", []):
        if set(group) - {"pairs"}:
            raise KustomizeError(f"{path}: labels support `pairs` only")
        for resource in resources:
            resource.setdefault("metadata", {}).setdefault("labels", {}).update(group["pairs"])
    for image in spec.get("images", []):
        for resource in resources:
            _set_image(resource, image)
    _check_unique(resources, path)
    return resources


def key(resource: Resource) -> tuple[str, str, str]:
    metadata = resource.get("metadata", {})
    return (resource["kind"], metadata.get("namespace", ""), metadata["name"])


def _check_unique(resources: list[Resource], path: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for resource in resources:
        if key(resource) in seen:
            raise KustomizeError(f"{path}: {key(resource)} defined twice")
        seen.add(key(resource))


def _generate_config_maps(directory: Path, generators: list[dict[str, Any]]) -> list[Resource]:
    maps = []
    for generator in generators:
        if not generator.get("options", {}).get("disableNameSuffixHash"):
            raise KustomizeError(f"configMapGenerator {generator['name']}: needs a fixed name")
        data: dict[str, str] = {}
        for entry in generator.get("files", []):
            name, _, file = entry.rpartition("=")
            file_path = directory / file
            data[name or file_path.name] = file_path.read_text()
        for literal in generator.get("literals", []):
            name, _, value = literal.partition("=")
            data[name] = value
        metadata: dict[str, Any] = {"name": generator["name"]}
        if generator["options"].get("labels"):
            metadata["labels"] = dict(generator["options"]["labels"])
        maps.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data})
    return maps


def _find(resources: list[Resource], kind: str, name: str) -> Resource:
    for resource in resources:
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource
    raise KustomizeError(f"patch target {kind}/{name} not found")


def _apply_patch(directory: Path, resources: list[Resource], patch: dict[str, Any]) -> None:
    if "path" in patch:
        documents = load_documents(directory / patch["path"])
    elif "patch" in patch:
        documents = [doc for doc in yaml.safe_load_all(patch["patch"]) if doc]
    else:
        raise KustomizeError(f"patch without path or patch: {patch}")
    if "target" in patch:
        target = _find(resources, patch["target"]["kind"], patch["target"]["name"])
        operations = documents[0] if len(documents) == 1 else documents
        if not isinstance(operations, list):
            raise KustomizeError("a patch with a target must be a JSON6902 list of operations")
        apply_json6902(target, operations)
        return
    for document in documents:
        target = _find(resources, document["kind"], document["metadata"]["name"])
        strategic_merge(target, document, merge_lists=is_builtin(target))


def is_builtin(resource: Resource) -> bool:
    """A Kubernetes kind (core or *.k8s.io group), as opposed to a custom resource."""
    group = resource["apiVersion"].rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def strategic_merge(target: dict[str, Any], patch: dict[str, Any], merge_lists: bool) -> None:
    """Merge `patch` into `target`: maps recursively, known lists by their merge key if
    `merge_lists` (built-in kinds), any other list replaced."""
    for name, value in patch.items():
        if value is None:
            target.pop(name, None)
        elif isinstance(value, dict) and isinstance(target.get(name), dict):
            strategic_merge(target[name], value, merge_lists)
        elif (
            merge_lists
            and isinstance(value, list)
            and name in MERGE_KEYS
            and isinstance(target.get(name), list)
        ):
            merge_key = MERGE_KEYS[name]
            for item in value:
                match = next(
                    (old for old in target[name] if old.get(merge_key) == item.get(merge_key)),
                    None,
                )
                if match is None:
                    target[name].append(copy.deepcopy(item))
                else:
                    strategic_merge(match, item, merge_lists)
        else:
            target[name] = copy.deepcopy(value)


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"JSON pointer must start with /: {path}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def apply_json6902(target: Resource, operations: list[dict[str, Any]]) -> None:
    for operation in operations:
        *parents, last = _pointer(operation["path"])
        node: Any = target
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        op = operation["op"]
        if op not in ("add", "replace", "remove"):
            raise KustomizeError(f"unsupported JSON6902 op {op}")
        if isinstance(node, list):
            index = len(node) if last == "-" else int(last)
            if op == "add":
                node.insert(index, copy.deepcopy(operation["value"]))
            elif op == "replace":
                node[index] = copy.deepcopy(operation["value"])
            else:
                del node[index]
        elif op == "remove":
            del node[last]
        else:
            if op == "replace" and last not in node:
                raise KustomizeError(f"replace of missing {operation['path']}")
            node[last] = copy.deepcopy(operation["value"])


def _set_image(node: Any, image: dict[str, str]) -> None:
    if isinstance(node, dict):
        for name, value in node.items():
            if name in ("containers", "initContainers") and isinstance(value, list):
                for container in value:
                    _retag(container, image)
            _set_image(value, image)
    elif isinstance(node, list):
        for item in node:
            _set_image(item, image)


def _retag(container: dict[str, Any], image: dict[str, str]) -> None:
    current = container.get("image", "")
    name = current.split("@", 1)[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    if name != image["name"]:
        return
    new = image.get("newName", name)
    if "digest" in image:
        container["image"] = f"{new}@{image['digest']}"
    elif "newTag" in image:
        container["image"] = f"{new}:{image['newTag']}"
    else:
        container["image"] = new + current[len(name) :]

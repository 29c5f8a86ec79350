/* SPDX-License-Identifier: MIT */
/*
 * labels.h -- the keys of the labels, tags and annotations meshdns reads
 * or writes, the way Kuma and Kubernetes spell them.
 *
 * String literals, so that they can be joined to others at compile time
 * ("metadata.labels." KUMA_LABEL_MESH).  Every "kuma.io/..." key meshdns
 * uses lives here; a new one is added here, not written inline.
 */
#ifndef MESHDNS_LABELS_H
#define MESHDNS_LABELS_H

/*
 * Labels of Kuma resources: origin is "zone" or "global", env
 * "kubernetes" or "universal" (see resource_set_compute_labels()).
 */
#define KUMA_LABEL_ORIGIN		"kuma.io/origin"
#define KUMA_LABEL_ZONE			"kuma.io/zone"
#define KUMA_LABEL_MESH			"kuma.io/mesh"
#define KUMA_LABEL_DISPLAY_NAME		"kuma.io/display-name"
#define KUMA_LABEL_ENV			"kuma.io/env"
#define KUMA_LABEL_MANAGED_BY		"kuma.io/managed-by"
#define KUMA_LABEL_WORKLOAD		"kuma.io/workload"
#define KUMA_LABEL_DELETION_GRACE	"kuma.io/deletion-grace-period-started-at"
#define KUMA_LABEL_SIDECAR_INJECTION	"kuma.io/sidecar-injection"
#define KUMA_LABEL_K8S_NAMESPACE	"k8s.kuma.io/namespace"
#define KUMA_LABEL_K8S_SERVICE_NAME	"k8s.kuma.io/service-name"
#define KUMA_LABEL_K8S_HEADLESS		"k8s.kuma.io/is-headless-service"
#define KUMA_LABEL_K8S_ZONE_PROXY_TYPE	"k8s.kuma.io/zone-proxy-type"

/* Tags of a Dataplane inbound. */
#define KUMA_TAG_SERVICE		"kuma.io/service"
#define KUMA_TAG_PROTOCOL		"kuma.io/protocol"

/* Annotations of Kubernetes objects. */
#define KUMA_ANNOTATION_IGNORE		"kuma.io/ignore"
#define KUMA_ANNOTATION_GATEWAY		"kuma.io/gateway"
#define KUMA_ANNOTATION_REACHABLE_BACKENDS "kuma.io/reachable-backends"

/* Kubernetes' own labels. */
#define K8S_LABEL_SERVICE_NAME		"kubernetes.io/service-name"
#define K8S_LABEL_POD_NAME		"statefulset.kubernetes.io/pod-name"
#define K8S_LABEL_POD_INDEX		"apps.kubernetes.io/pod-index"

#endif

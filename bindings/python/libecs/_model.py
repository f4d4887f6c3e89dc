"""Tables from the ECS API model that the client needs at run time.

They are literals (taken once from the published ECS API model, its waiters,
paginators and the SDK's operation list) so the package reads no model file
when it runs.
"""

from typing import Dict, FrozenSet, Tuple

__all__ = ["OPERATIONS", "EXTENSIONS", "TIMESTAMP_MEMBERS", "PAGINATORS", "WAITERS"]

# The operations of the ECS API (the AWS SDK's list), with the method name
# boto3 gives each. Generated from the SDK's operation list; do not edit by hand.
OPERATIONS: Tuple[Tuple[str, str], ...] = (
    ("AssociateGatewayWithCluster", "associate_gateway_with_cluster"),
    ("ContinueServiceDeployment", "continue_service_deployment"),
    ("CreateCapacityProvider", "create_capacity_provider"),
    ("CreateCluster", "create_cluster"),
    ("CreateDaemon", "create_daemon"),
    ("CreateExpressGatewayService", "create_express_gateway_service"),
    ("CreateGateway", "create_gateway"),
    ("CreateService", "create_service"),
    ("CreateTaskSet", "create_task_set"),
    ("DeleteAccountSetting", "delete_account_setting"),
    ("DeleteAttributes", "delete_attributes"),
    ("DeleteCapacityProvider", "delete_capacity_provider"),
    ("DeleteCluster", "delete_cluster"),
    ("DeleteDaemon", "delete_daemon"),
    ("DeleteDaemonTaskDefinition", "delete_daemon_task_definition"),
    ("DeleteExpressGatewayService", "delete_express_gateway_service"),
    ("DeleteGateway", "delete_gateway"),
    ("DeleteService", "delete_service"),
    ("DeleteTaskDefinitions", "delete_task_definitions"),
    ("DeleteTaskSet", "delete_task_set"),
    ("DeregisterContainerInstance", "deregister_container_instance"),
    ("DeregisterTaskDefinition", "deregister_task_definition"),
    ("DescribeCapacityProviders", "describe_capacity_providers"),
    ("DescribeClusters", "describe_clusters"),
    ("DescribeContainerInstances", "describe_container_instances"),
    ("DescribeDaemon", "describe_daemon"),
    ("DescribeDaemonDeployments", "describe_daemon_deployments"),
    ("DescribeDaemonRevisions", "describe_daemon_revisions"),
    ("DescribeDaemonTaskDefinition", "describe_daemon_task_definition"),
    ("DescribeExpressGatewayService", "describe_express_gateway_service"),
    ("DescribeGateway", "describe_gateway"),
    ("DescribeGatewayResources", "describe_gateway_resources"),
    ("DescribeGatewayRoute", "describe_gateway_route"),
    ("DescribeServiceDeployments", "describe_service_deployments"),
    ("DescribeServiceRevisions", "describe_service_revisions"),
    ("DescribeServices", "describe_services"),
    ("DescribeTaskDefinition", "describe_task_definition"),
    ("DescribeTaskSets", "describe_task_sets"),
    ("DescribeTasks", "describe_tasks"),
    ("DisassociateGatewayFromCluster", "disassociate_gateway_from_cluster"),
    ("DiscoverPollEndpoint", "discover_poll_endpoint"),
    ("ExecuteCommand", "execute_command"),
    ("GetTaskProtection", "get_task_protection"),
    ("ListAccountSettings", "list_account_settings"),
    ("ListAttributes", "list_attributes"),
    ("ListClusters", "list_clusters"),
    ("ListContainerInstances", "list_container_instances"),
    ("ListDaemonDeployments", "list_daemon_deployments"),
    ("ListDaemonTaskDefinitions", "list_daemon_task_definitions"),
    ("ListDaemons", "list_daemons"),
    ("ListGatewayClusterAssociations", "list_gateway_cluster_associations"),
    ("ListGatewayRoutes", "list_gateway_routes"),
    ("ListGateways", "list_gateways"),
    ("ListServiceDeployments", "list_service_deployments"),
    ("ListServices", "list_services"),
    ("ListServicesByNamespace", "list_services_by_namespace"),
    ("ListTagsForResource", "list_tags_for_resource"),
    ("ListTaskDefinitionFamilies", "list_task_definition_families"),
    ("ListTaskDefinitions", "list_task_definitions"),
    ("ListTasks", "list_tasks"),
    ("PutAccountSetting", "put_account_setting"),
    ("PutAccountSettingDefault", "put_account_setting_default"),
    ("PutAttributes", "put_attributes"),
    ("PutClusterCapacityProviders", "put_cluster_capacity_providers"),
    ("RegisterContainerInstance", "register_container_instance"),
    ("RegisterDaemonTaskDefinition", "register_daemon_task_definition"),
    ("RegisterTaskDefinition", "register_task_definition"),
    ("RunTask", "run_task"),
    ("StartTask", "start_task"),
    ("StopServiceDeployment", "stop_service_deployment"),
    ("StopTask", "stop_task"),
    ("SubmitAttachmentStateChanges", "submit_attachment_state_changes"),
    ("SubmitContainerStateChange", "submit_container_state_change"),
    ("SubmitTaskStateChange", "submit_task_state_change"),
    ("TagResource", "tag_resource"),
    ("UntagResource", "untag_resource"),
    ("UpdateCapacityProvider", "update_capacity_provider"),
    ("UpdateCluster", "update_cluster"),
    ("UpdateClusterSettings", "update_cluster_settings"),
    ("UpdateContainerAgent", "update_container_agent"),
    ("UpdateContainerInstancesState", "update_container_instances_state"),
    ("UpdateDaemon", "update_daemon"),
    ("UpdateExpressGatewayService", "update_express_gateway_service"),
    ("UpdateGateway", "update_gateway"),
    ("UpdateService", "update_service"),
    ("UpdateServicePrimaryTaskSet", "update_service_primary_task_set"),
    ("UpdateTaskProtection", "update_task_protection"),
    ("UpdateTaskSet", "update_task_set"),
)

# Member names whose API type is timestamp (from the ECS API model's shapes).
TIMESTAMP_MEMBERS: FrozenSet[str] = frozenset(
    (
        "connectivityAt",
        "createdAt",
        "deregisteredAt",
        "executionStoppedAt",
        "expirationDate",
        "lastStartedAt",
        "lastStatusChange",
        "lastUpdated",
        "pullStartedAt",
        "pullStoppedAt",
        "registeredAt",
        "stabilityStatusAt",
        "startedAt",
        "stoppedAt",
        "stoppingAt",
        "updatedAt",
    )
)

# Paginated operations: input token, limit key, output token, result key
# (from the ECS paginators model).
PAGINATORS: Dict[str, Tuple[str, str, str, str]] = {
    "ListAccountSettings": ("nextToken", "maxResults", "nextToken", "settings"),
    "ListAttributes": ("nextToken", "maxResults", "nextToken", "attributes"),
    "ListClusters": ("nextToken", "maxResults", "nextToken", "clusterArns"),
    "ListContainerInstances": ("nextToken", "maxResults", "nextToken", "containerInstanceArns"),
    "ListServices": ("nextToken", "maxResults", "nextToken", "serviceArns"),
    "ListServicesByNamespace": ("nextToken", "maxResults", "nextToken", "serviceArns"),
    "ListTaskDefinitionFamilies": ("nextToken", "maxResults", "nextToken", "families"),
    "ListTaskDefinitions": ("nextToken", "maxResults", "nextToken", "taskDefinitionArns"),
    "ListTasks": ("nextToken", "maxResults", "nextToken", "taskArns"),
}

# libecs extension actions (outside the ECS API), served by the same call.
EXTENSIONS: Tuple[Tuple[str, str], ...] = (
    ("RegisterSubnets", "register_subnets"),
    ("SetFargateCapacity", "set_fargate_capacity"),
    ("SubmitContainerHealth", "submit_container_health"),
    ("SubmitTargetHealth", "submit_target_health"),
    ("ModifyTargetGroupAttributes", "modify_target_group_attributes"),
    ("SetAlarmState", "set_alarm_state"),
)

# The ECS waiters (from the SDK's waiters model, ecs-2014-11-13.waiters2.json):
# name -> (operation, delay in seconds, max attempts, acceptors), each
# acceptor (state, matcher, argument, expected) as the model writes it.
WAITERS: Dict[str, Tuple[str, int, int, Tuple[Tuple[str, str, str, object], ...]]] = {
    "TasksRunning": (
        "DescribeTasks", 6, 100, (
            ("failure", "pathAny", "tasks[].lastStatus", "STOPPED"),
            ("failure", "pathAny", "failures[].reason", "MISSING"),
            ("success", "pathAll", "tasks[].lastStatus", "RUNNING"),
        ),
    ),
    "TasksStopped": (
        "DescribeTasks", 6, 100, (
            ("success", "pathAll", "tasks[].lastStatus", "STOPPED"),
        ),
    ),
    "ServicesStable": (
        "DescribeServices", 15, 40, (
            ("failure", "pathAny", "failures[].reason", "MISSING"),
            ("failure", "pathAny", "services[].status", "DRAINING"),
            ("failure", "pathAny", "services[].status", "INACTIVE"),
            ("success", "path",
             "length(services[?!(length(deployments) == `1` && runningCount == desiredCount)]) == `0`",
             True),
        ),
    ),
    "ServicesInactive": (
        "DescribeServices", 15, 40, (
            ("failure", "pathAny", "failures[].reason", "MISSING"),
            ("success", "pathAny", "services[].status", "INACTIVE"),
        ),
    ),
}

"""host.py: examples/host.c with the Python binding (docs/embedding.md).

A toy container host that embeds a libecs control plane without simulated
agents, and so plays the ECS agent itself: it creates a service of three
tasks behind a target group and runs the host's loop one simulated second at
a time (step, carry out the orders, report back) until the service is
steady, then scales it in to one task and does it again. Exit status 0 when
both phases reach a steady state.

    ECS_LIBRARY_PATH=build/lib/libecs.so PYTHONPATH=bindings/python python3 examples/host.py
"""
import json
import sys

import libecs

TARGET_GROUP = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef"
START_DELAY = 3.0  # this toy host "starts" a task in 3 s


class Host:
    def __init__(self):
        # simulated_agents=False: nothing runs unless this host says so.
        self.ecs = libecs.ControlPlane(seed=42, simulated_agents=False)
        self.start = self.ecs.now
        self.tasks = {}  # taskArn -> {"cluster", "running_at" (None once RUNNING), "in_target_group"}

    def log(self, text):
        print("[%4ds] %s" % ((self.ecs.now - self.start).total_seconds(), text))

    def report(self, cluster, task, status):
        self.log("report  %-8s task %s" % (status, task.rsplit("/", 1)[1]))
        self.ecs.submit_task_state_change(cluster=cluster, task=task, status=status)

    def carry_out(self, order):
        """One order, as an agent (and a load balancer) would carry it out."""
        kind, cluster, task = order["order"], order["clusterArn"], order["taskArn"]
        short = task.rsplit("/", 1)[1]
        if kind == "START":
            self.log("START   task %s: pulling the image" % short)
            self.tasks[task] = {"cluster": cluster, "running_at": self.ecs.now.timestamp() + START_DELAY,
                                "in_target_group": False}
            self.report(cluster, task, "PENDING")
        elif kind == "STOP":
            self.log("STOP    task %s" % short)
            self.tasks.pop(task, None)
            self.report(cluster, task, "STOPPED")
        elif kind == "REGISTER_TARGET":
            self.log("REGISTER_TARGET   %s:%d (task %s): health check passes"
                     % (order["targetId"], order["targetPort"], short))
            self.tasks[task]["in_target_group"] = True
            self.ecs.submit_target_health(cluster=cluster, task=task, state="healthy")
        elif kind == "DEREGISTER_TARGET":
            self.log("DEREGISTER_TARGET %s:%d (task %s): connections drain"
                     % (order["targetId"], order["targetPort"], short))
            self.tasks[task]["in_target_group"] = False

    def turn(self):
        """Step one second, carry out the orders, report finished starts."""
        for order in self.ecs.step(1.0):
            self.carry_out(order)
        for task, state in self.tasks.items():
            if state["running_at"] is not None and self.ecs.now.timestamp() >= state["running_at"]:
                state["running_at"] = None
                self.report(state["cluster"], task, "RUNNING")

    def run_until_steady(self, service):
        for _ in range(600):
            self.turn()
            svc = self.ecs.describe_services(cluster="demo", services=[service])["services"][0]
            deployments = svc["deployments"]
            steady = (len(deployments) == 1 and deployments[0]["rolloutState"] == "COMPLETED"
                      and svc["runningCount"] == svc["desiredCount"] == len(self.tasks)
                      and all(t["running_at"] is None and t["in_target_group"] for t in self.tasks.values()))
            if steady:
                self.log("service %s is steady: %d running of %d" % (service, svc["runningCount"], svc["desiredCount"]))
                self.log("its last event: %s" % svc["events"][0]["message"])
                return True
        print("host: service %s not steady after ten minutes" % service, file=sys.stderr)
        return False

    def setup(self):
        ecs = self.ecs
        ecs.create_cluster(clusterName="demo")
        for i, zone in enumerate(["us-east-1a", "us-east-1b"]):
            ecs.register_container_instance(
                cluster="demo",
                instanceIdentityDocument=json.dumps({"instanceId": "i-0a0000000000000%d" % i,
                                                     "availabilityZone": zone, "instanceType": "m5.large",
                                                     "region": "us-east-1"}),
                totalResources=[{"name": "CPU", "type": "INTEGER", "integerValue": 2048},
                                {"name": "MEMORY", "type": "INTEGER", "integerValue": 7680}])
        ecs.register_task_definition(family="web", containerDefinitions=[{
            "name": "web", "image": "public.ecr.aws/nginx/nginx:1.27", "cpu": 256, "memory": 512,
            "essential": True, "portMappings": [{"containerPort": 80, "hostPort": 0}]}])
        # The load balancer drains a deregistered target for 5 s (ELB: 300).
        ecs.modify_target_group_attributes(targetGroupArn=TARGET_GROUP, attributes=[
            {"key": "deregistration_delay.timeout_seconds", "value": "5"}])
        self.log("CreateService web, 3 tasks behind target group web")
        ecs.create_service(cluster="demo", serviceName="web", taskDefinition="web", desiredCount=3,
                           placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
                           loadBalancers=[{"targetGroupArn": TARGET_GROUP, "containerName": "web",
                                           "containerPort": 80}])


def main():
    host = Host()
    try:
        host.setup()
        if not host.run_until_steady("web"):
            return 1
        host.log("UpdateService web, desiredCount 1")
        host.ecs.update_service(cluster="demo", service="web", desiredCount=1)
        return 0 if host.run_until_steady("web") else 1
    except libecs.EcsClientError as error:
        print("host: %s: %s" % (error.operation_name, error), file=sys.stderr)
        return 1
    finally:
        host.ecs.close()


if __name__ == "__main__":
    sys.exit(main())

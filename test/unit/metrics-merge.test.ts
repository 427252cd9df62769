import { describe, expect, it } from "vitest";
import { mergeMetrics } from "../../cli/cluster/metrics-merge.ts";

const worker = (requests: number, inFlight: number, circuit: number, version: number, bucket: [number, number]) => `# HELP switchyard_requests_total Requests.
# TYPE switchyard_requests_total counter
switchyard_requests_total{route="fast",status="200"} ${requests}
# HELP switchyard_request_duration_seconds Latency.
# TYPE switchyard_request_duration_seconds histogram
switchyard_request_duration_seconds_bucket{route="fast",le="0.1"} ${bucket[0]}
switchyard_request_duration_seconds_bucket{route="fast",le="+Inf"} ${bucket[1]}
switchyard_request_duration_seconds_sum{route="fast"} 0.5
switchyard_request_duration_seconds_count{route="fast"} ${bucket[1]}
# HELP switchyard_requests_in_flight In flight.
# TYPE switchyard_requests_in_flight gauge
switchyard_requests_in_flight ${inFlight}
# HELP switchyard_circuit_state Circuit.
# TYPE switchyard_circuit_state gauge
switchyard_circuit_state{provider="a",model="m"} ${circuit}
# HELP switchyard_config_version Version.
# TYPE switchyard_config_version gauge
switchyard_config_version ${version}
# HELP switchyard_config_reloads_total Reloads.
# TYPE switchyard_config_reloads_total counter
switchyard_config_reloads_total{result="ok"} 2
`;

describe("mergeMetrics", () => {
  it("adds counters, histograms and amounts up, and takes the highest state and server-wide config figures", () => {
    const merged = mergeMetrics([worker(3, 1, 0, 3, [2, 3]), worker(4, 2, 2, 3, [1, 4]) + 'switchyard_only_here{x="1"} 7\n']);
    expect(merged).toContain('switchyard_requests_total{route="fast",status="200"} 7');
    expect(merged).toContain('switchyard_request_duration_seconds_bucket{route="fast",le="0.1"} 3');
    expect(merged).toContain('switchyard_request_duration_seconds_bucket{route="fast",le="+Inf"} 7');
    expect(merged).toContain('switchyard_request_duration_seconds_sum{route="fast"} 1');
    expect(merged).toContain('switchyard_request_duration_seconds_count{route="fast"} 7');
    expect(merged).toContain("switchyard_requests_in_flight 3");
    expect(merged).toContain('switchyard_circuit_state{provider="a",model="m"} 2');
    expect(merged).toContain("switchyard_config_version 3");
    expect(merged).toContain('switchyard_config_reloads_total{result="ok"} 2');
    expect(merged).toContain('switchyard_only_here{x="1"} 7');
    // One HELP and TYPE per family, in the first worker's order.
    expect(merged.match(/# TYPE switchyard_requests_total counter/g)).toHaveLength(1);
    expect(merged.indexOf("switchyard_requests_total")).toBeLessThan(merged.indexOf("switchyard_request_duration_seconds"));
  });
});

import {
  CreateTopicRuleCommand,
  CreateTopicRuleDestinationCommand,
  DeleteTopicRuleCommand,
  DeleteTopicRuleDestinationCommand,
  GetTopicRuleCommand,
  GetTopicRuleDestinationCommand,
  IoTClient,
  ListTopicRuleDestinationsCommand,
  ReplaceTopicRuleCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  UnauthorizedException,
} from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { callFor } from '@/features/integrations/aws-calls';
import { deprovisionLiveData, provisionLiveData, readLiveDataState } from './provision';
import { cliSnippet, cloudFormationSnippet, ruleNames, SECRET_PLACEHOLDER } from './rules';

const iotMock = mockClient(IoTClient);
const iot = new IoTClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x'.repeat(40) } });
const INTEGRATION = '6f1c5d7e-2f4b-4f9a-9a7e-1b2c3d4e5f60';
const URL = `https://fleetline.example/api/ingest/v1/${INTEGRATION}`;
const ARN = 'arn:aws:iot:us-east-1:123456789012:ruledestination/http/0d2c0b5e-1111-2222-3333-444455556666';
const target = { integrationId: INTEGRATION, ingestUrl: URL, topicFilter: 'dt/+/telemetry' };
const exists = () => new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} });
const notFound = () => new ResourceNotFoundException({ message: 'gone', $metadata: {} });

afterEach(() => iotMock.reset());

const sentOperations = () => iotMock.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));

describe('switching live data on', () => {
  it('creates the destination for the ingest URL and both rules, with the secret header and AWS batching limits', async () => {
    iotMock.on(CreateTopicRuleDestinationCommand).resolves({ topicRuleDestination: { arn: ARN, status: 'IN_PROGRESS' } });
    iotMock.on(CreateTopicRuleCommand).resolves({});
    const state = await provisionLiveData(iot, target, 'fli_secret', null);
    expect(state).toEqual({ destinationArn: ARN, destinationStatus: 'IN_PROGRESS', telemetry: 'ENABLED', presence: 'ENABLED' });
    expect(iotMock.commandCalls(CreateTopicRuleDestinationCommand)[0]!.args[0].input).toEqual({
      destinationConfiguration: { httpUrlConfiguration: { confirmationUrl: URL } },
    });
    const rules = iotMock.commandCalls(CreateTopicRuleCommand).map((c) => c.args[0].input);
    expect(rules.map((r) => [r.ruleName, r.topicRulePayload!.sql])).toEqual([
      [ruleNames(INTEGRATION).telemetry, "SELECT *, topic(2) AS thing, timestamp() AS ts FROM 'dt/+/telemetry'"],
      [ruleNames(INTEGRATION).presence, "SELECT * FROM '$aws/events/presence/+/+'"],
    ]);
    for (const r of rules) {
      expect(r.topicRulePayload!.actions).toEqual([
        {
          http: {
            url: URL,
            confirmationUrl: URL,
            headers: [{ key: 'x-fleetline-ingest-secret', value: 'fli_secret' }],
            enableBatching: true,
            batchConfig: { maxBatchSize: 10, maxBatchSizeBytes: 131072, maxBatchOpenMs: 200 },
          },
        },
      ]);
    }
    expect(ruleNames(INTEGRATION).telemetry).toMatch(/^fleetline_[a-f0-9]{32}_telemetry$/);
    // Every operation is in the permission catalogue (and so in the generated policy).
    expect(sentOperations().filter((op) => !callFor(op))).toEqual([]);
  });

  it('repeated: finds the existing destination by its URL and replaces the rules instead of failing', async () => {
    iotMock.on(CreateTopicRuleDestinationCommand).rejects(exists());
    iotMock.on(ListTopicRuleDestinationsCommand).resolves({
      destinationSummaries: [
        { arn: 'arn:aws:iot:us-east-1:123456789012:ruledestination/http/other', status: 'ENABLED', httpUrlSummary: { confirmationUrl: 'https://elsewhere.example/' } },
        { arn: ARN, status: 'ENABLED', httpUrlSummary: { confirmationUrl: URL } },
      ],
    });
    iotMock.on(CreateTopicRuleCommand).rejects(exists());
    iotMock.on(ReplaceTopicRuleCommand).resolves({});
    const state = await provisionLiveData(iot, target, 'fli_new', null);
    expect(state.destinationArn).toBe(ARN);
    expect(state.destinationStatus).toBe('ENABLED');
    expect(iotMock.commandCalls(ReplaceTopicRuleCommand).map((c) => c.args[0].input.topicRulePayload!.actions![0]!.http!.headers)).toEqual([
      [{ key: 'x-fleetline-ingest-secret', value: 'fli_new' }],
      [{ key: 'x-fleetline-ingest-secret', value: 'fli_new' }],
    ]);
  });

  it('keeps a known destination that still exists, and creates a new one when it was deleted', async () => {
    iotMock.on(GetTopicRuleDestinationCommand).resolvesOnce({ topicRuleDestination: { arn: ARN, status: 'ENABLED' } }).rejects(notFound());
    iotMock.on(CreateTopicRuleCommand).resolves({});
    iotMock.on(CreateTopicRuleDestinationCommand).resolves({ topicRuleDestination: { arn: `${ARN}-2`, status: 'IN_PROGRESS' } });
    expect((await provisionLiveData(iot, target, 's', ARN)).destinationArn).toBe(ARN);
    expect(iotMock.commandCalls(CreateTopicRuleDestinationCommand)).toHaveLength(0);
    expect((await provisionLiveData(iot, target, 's', ARN)).destinationArn).toBe(`${ARN}-2`);
  });

  it('lets a permission error through (the caller falls back to the snippets)', async () => {
    iotMock.on(CreateTopicRuleDestinationCommand).rejects(new UnauthorizedException({ message: 'denied', $metadata: {} }));
    await expect(provisionLiveData(iot, target, 's', null)).rejects.toMatchObject({ name: 'UnauthorizedException' });
    expect(iotMock.commandCalls(CreateTopicRuleCommand)).toHaveLength(0);
  });
});

describe('switching live data off and reading its status', () => {
  it('deletes both rules and the destination, and what is already gone is fine', async () => {
    iotMock.on(DeleteTopicRuleCommand, { ruleName: ruleNames(INTEGRATION).telemetry }).rejects(notFound());
    iotMock.on(DeleteTopicRuleCommand, { ruleName: ruleNames(INTEGRATION).presence }).resolves({});
    iotMock.on(DeleteTopicRuleDestinationCommand).resolves({});
    await deprovisionLiveData(iot, INTEGRATION, ARN);
    expect(iotMock.commandCalls(DeleteTopicRuleCommand).map((c) => c.args[0].input.ruleName)).toEqual([ruleNames(INTEGRATION).telemetry, ruleNames(INTEGRATION).presence]);
    expect(iotMock.commandCalls(DeleteTopicRuleDestinationCommand)[0]!.args[0].input).toEqual({ arn: ARN });
  });

  it('reports each rule enabled, disabled or missing and the destination status', async () => {
    iotMock.on(GetTopicRuleDestinationCommand).resolves({ topicRuleDestination: { arn: ARN, status: 'ENABLED' } });
    iotMock.on(GetTopicRuleCommand, { ruleName: ruleNames(INTEGRATION).telemetry }).resolves({ rule: { ruleDisabled: true } });
    iotMock.on(GetTopicRuleCommand, { ruleName: ruleNames(INTEGRATION).presence }).rejects(new UnauthorizedException({ message: 'no rule', $metadata: {} }));
    expect(await readLiveDataState(iot, INTEGRATION, ARN)).toEqual({ destinationArn: ARN, destinationStatus: 'ENABLED', telemetry: 'DISABLED', presence: 'MISSING' });
  });
});

describe('hand set-up snippets', () => {
  it('name the same destination URL, rules and header, with a placeholder unless the fresh secret is given', () => {
    const cli = cliSnippet({ ...target, region: 'eu-west-1' });
    expect(cli).toContain('aws iot create-topic-rule-destination --region eu-west-1');
    expect(cli).toContain(`--rule-name ${ruleNames(INTEGRATION).telemetry}`);
    expect(cli).toContain(`--rule-name ${ruleNames(INTEGRATION).presence}`);
    expect(cli).toContain(SECRET_PLACEHOLDER);
    expect(cliSnippet({ ...target, region: 'eu-west-1', secret: 'fli_once' })).toContain('fli_once');
    const cfn = cloudFormationSnippet(target);
    expect(Object.values(cfn.Resources).map((r) => r.Type)).toEqual(['AWS::IoT::TopicRuleDestination', 'AWS::IoT::TopicRule', 'AWS::IoT::TopicRule']);
    expect(cfn.Resources.FleetlineTelemetryRule.Properties.TopicRulePayload.Actions[0]!.Http.Headers).toEqual([{ Key: 'x-fleetline-ingest-secret', Value: SECRET_PLACEHOLDER }]);
  });
});

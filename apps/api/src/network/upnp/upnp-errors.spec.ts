import { TimeoutError } from '../with-timeout';
import { describeGatewayError, GatewayRefusedError, NoGatewayError, upnpFault } from './upnp-errors';

const soapFault = (code: number, description: string) => ({
  response: {
    status: 500,
    data:
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode>' +
      `<faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode>` +
      `<errorDescription>${description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`,
  },
});

const LOCATION = 'http://192.168.1.1:5000/rootDesc.xml';

describe('upnpFault', () => {
  it.each([
    [soapFault(713, 'SpecifiedArrayIndexInvalid'), { code: 713, description: 'SpecifiedArrayIndexInvalid' }],
    [soapFault(606, 'Action not authorized'), { code: 606, description: 'Action not authorized' }],
    [{ response: { status: 500, data: '<html>oops</html>' } }, null],
    [{ response: { status: 500, data: { not: 'text' } } }, null],
    [new Error('socket hang up'), null],
    [null, null],
  ])('%#: reads the fault out of a failed SOAP call', (error, expected) => {
    expect(upnpFault(error)).toEqual(expected);
  });
});

describe('describeGatewayError', () => {
  it.each<[unknown, RegExp]>([
    [
      soapFault(718, 'ConflictInMappingEntry'),
      /^the gateway refused AddPortMapping: 718 ConflictInMappingEntry \(the router already forwards this port to another device\)$/,
    ],
    [soapFault(606, 'Action not authorized'), /refused AddPortMapping: 606 Action not authorized \(the router does not allow/],
    [new Error('Service not found'), /offers no WANIPConnection or WANPPPConnection service/],
    // The library's failed description download surfaces as a TypeError on the undefined XML.
    [
      new TypeError("Cannot read properties of undefined (reading 'device')"),
      /could not read the gateway's device description at http:\/\/192\.168\.1\.1:5000/,
    ],
    [
      Object.assign(new Error('connect ECONNREFUSED 192.168.1.1:5000'), { code: 'ECONNREFUSED' }),
      /did not answer AddPortMapping: ECONNREFUSED$/,
    ],
    [
      new TimeoutError('the gateway did not answer AddPortMapping within 3000 ms'),
      /^the gateway did not answer AddPortMapping within 3000 ms$/,
    ],
  ])('%#: says what went wrong in words a user can act on', (error, expected) => {
    expect(describeGatewayError(error, 'AddPortMapping', LOCATION).message).toMatch(expected);
  });

  it('keeps our own errors as they are, and gives refusals their code', () => {
    const none = new NoGatewayError('no UPnP gateway answered');
    expect(describeGatewayError(none, 'AddPortMapping', LOCATION)).toBe(none);
    const refused = describeGatewayError(soapFault(725, 'OnlyPermanentLeasesSupported'), 'AddPortMapping', LOCATION);
    expect(refused).toBeInstanceOf(GatewayRefusedError);
    expect((refused as GatewayRefusedError).code).toBe(725);
  });
});

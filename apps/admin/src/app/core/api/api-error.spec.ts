import { HttpErrorResponse } from '@angular/common/http';
import { apiErrorMessages, describeHttpError } from './api-error';

describe('describeHttpError', () => {
  it('says plainly that a 403 is about the role, with the API reason', () => {
    const error = new HttpErrorResponse({
      status: 403,
      error: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'This action needs the operator role; you are signed in as viewer',
      },
    });
    expect(describeHttpError(error)).toBe('Not allowed: This action needs the operator role; you are signed in as viewer');
  });

  it('still explains a 403 that came without the API body', () => {
    expect(describeHttpError(new HttpErrorResponse({ status: 403, error: 'Forbidden' }))).toBe('Not allowed: your role cannot do this.');
  });

  it('joins field errors of a 400 and names the status', () => {
    const error = new HttpErrorResponse({
      status: 400,
      error: { statusCode: 400, message: ['a is wrong', 'b is missing'] },
    });
    expect(describeHttpError(error)).toBe('a is wrong; b is missing (HTTP 400)');
    expect(apiErrorMessages(error)).toEqual(['a is wrong', 'b is missing']);
  });
});

/** A response body already serialised as JSON: the HTTP layer sends its text as it is (application/json). */
export class JsonText {
  constructor(readonly text: string) {}
}

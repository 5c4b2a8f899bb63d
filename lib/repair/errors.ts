/** A repair asked for something that cannot be: said to the user as it is (CLI exit 2, the action's refusal). */
export class RepairInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RepairInputError';
  }
}

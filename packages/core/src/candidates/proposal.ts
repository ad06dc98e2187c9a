/** An email before placement: what it is, its ideal day and how it may move. */
export interface Proposal {
  readonly emailType: string;
  readonly eventDay: number | null;
  readonly idealDay: number;
  /** The day is already final (follow-ups): no catch-up spreading. */
  readonly exactDay: boolean;
  readonly deadline: number;
  readonly keyHash: number;
  readonly priority: number;
  readonly tieBreaker: number;
  readonly respectsWindows: boolean;
  readonly isFollowup: boolean;
  readonly campaignInstanceId: number | null;
  readonly emailTemplate: string | null;
  readonly smsTemplate: string | null;
  readonly metadata: string | null;
  /** For history blocking: the initial email of a follow-up. */
  readonly initialEmailId: number | null;
}

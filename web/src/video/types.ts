/**
 * The video API's shapes as the pages read them (`/api/v1/video`, the contract of issue
 * 15; the server's models are in src/interviewkit/video/schemas.py and results.py). Only
 * the fields the pages use are named; optional ones may be missing on older records.
 */

export type AnswerStatus = "uploading" | "queued" | "processing" | "analyzed" | "failed";

export type AnswerOut = {
  answer_id: string;
  question_index: number;
  attempt: number;
  status: AnswerStatus;
  step?: string | null;
  progress?: number | null;
  error?: string | null;
};

export type QuestionOut = {
  index: number;
  text: string;
  thinking_s: number;
  max_answer_s: number;
  attempts: number;
  keywords?: string[];
};

export type VideoInterviewOut = {
  id: string;
  session_id: string;
  title: string;
  status: string;
  candidate_name: string | null;
  candidate_email: string | null;
  questions: QuestionOut[];
  template_id?: string | null;
  answers?: AnswerOut[];
  answer_count?: number;
  created_at: string;
};

/** A question template's question (GET /templates): what a question row of the form holds. */
export type TemplateQuestion = {
  text: string;
  thinking_s: number;
  max_answer_s: number;
  attempts: number;
  keywords: string[];
};

/** A question template an interview can start from. */
export type VideoTemplate = {
  id: string;
  title: string;
  description: string;
  questions: TemplateQuestion[];
};

/** A question as the candidate sees it: no rubric keywords. */
export type CandidateQuestion = QuestionOut & {
  attempts_used: number;
  attempts_left: number;
  answer?: AnswerOut | null;
  answer_status?: AnswerStatus | null;
};

export type CandidateInterview = {
  id: string;
  title: string;
  status?: string;
  max_answer_bytes?: number;
  questions: CandidateQuestion[];
};

export type UploadOut = {
  answer_id: string;
  attempt: number;
  mode: "single" | "multipart";
  url?: string | null;
  content_type?: string;
  upload_id?: string | null;
  part_bytes?: number | null;
  part_count?: number | null;
  expires_at: string;
};

export type UploadState = { received: { number: number; size: number }[]; mode: "single" | "multipart"; part_bytes?: number | null };

export type InviteOut = { token: string; url: string; expires_at: string };

export type Page<T> = { items: T[]; next_page?: number | null; next_cursor?: string | null; total?: number };

export type Span = { start: number; end: number };
export type TimedWord = { text: string; start: number; end: number; filler?: boolean };

export type TextMetrics = {
  word_count: number;
  speaking_time_s: number;
  words_per_minute: number | null;
  filler_count: number;
  fillers: Record<string, number>;
  fillers_per_minute: number | null;
  pause_count: number;
  pause_min_s: number;
  longest_pause_s: number;
  silence_ratio: number | null;
  pauses: Span[];
  star: { situation: boolean; task: boolean; action: boolean; result: boolean; evidence: Record<string, string> };
  keywords: { expected: string[]; found: string[]; missing: string[]; coverage: number | null };
  sentiment: { compound: number; positive: number; neutral: number; negative: number } | null;
  rate_series: number[];
  speech_series: number[];
};

export type VideoMetrics = {
  engine: string;
  sample_fps: number;
  frames_analyzed: number;
  face_present_ratio: number;
  looking_at_camera_ratio: number;
  multiple_faces_ratio: number;
  attention_ratio: number;
  away_spans: Span[];
  multiple_face_spans: Span[];
  mean_brightness: number;
  lighting: string;
  mean_motion: number;
  series: { face_present: number[]; looking_at_camera: number[]; faces: number[] };
};

export type AnswerGrade = {
  score: number;
  criteria: { criterion: string; score: number; evidence: string[]; comment: string }[];
  summary: string;
  model: string;
};

export type AnswerScore = {
  overall: number;
  content: number | null;
  delivery: number | null;
  presence: number | null;
  explanation: string[];
};

export type AnswerAnalysis = {
  question: string | null;
  duration_s: number;
  transcript: { text: string; words: TimedWord[]; engine: string } | null;
  text_metrics: TextMetrics | null;
  video_metrics: VideoMetrics | null;
  grade?: AnswerGrade | null;
  score?: AnswerScore | null;
  notes?: string[];
};

export type RecordOut = {
  answer_id: string;
  interview_id: string;
  question_index: number;
  question: string;
  candidate_name: string | null;
  candidate_email: string | null;
  status: AnswerStatus;
  duration_s: number | null;
  score: AnswerScore | null;
  created_at: string;
  analysis?: AnswerAnalysis | null;
  urls?: { video?: string | null; original?: string | null; captions?: string | null; transcript?: string | null; report?: string | null; expires_at?: string } | null;
  progress?: number | null;
};

export type InterviewReport = {
  interview: VideoInterviewOut;
  answers: RecordOut[];
  overall?: Record<string, unknown> | null;
};

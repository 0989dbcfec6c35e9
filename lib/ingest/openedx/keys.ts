/**
 * Open edX names courses and blocks with opaque keys (`course-v1:edX+DemoX+Demo_Course`,
 * `block-v1:edX+DemoX+Demo_Course+type@problem+block@3fc5…`). Raw tracking logs carry the keys;
 * event-routing-backends' xAPI wraps them in IRIs (`http://lms/course/course-v1:…`,
 * `http://lms/xblock/block-v1:…`). Both adapters reduce an IRI to the key inside it, so that a course
 * or a problem seen through the raw logs and through xAPI is one course, one object.
 */
const COURSE_KEY = /(course-v1:[^/?#\s]+)/;
const BLOCK_KEY = /(block-v1:[^/?#\s]+)/;

export function courseKeyIn(s: string): string | undefined {
  return COURSE_KEY.exec(s)?.[1];
}

export function blockKeyIn(s: string): string | undefined {
  return BLOCK_KEY.exec(s)?.[1];
}

/** The key an IRI names (block before course: a block key contains the course's parts), else the IRI. */
export function objectKeyOf(iriOrKey: string): string {
  return blockKeyIn(iriOrKey) ?? courseKeyIn(iriOrKey) ?? iriOrKey;
}

/** `block-v1:ORG+COURSE+RUN+type@TYPE+block@ID` for a block of a course run. */
export function blockKey(courseKey: string, type: string, id: string): string {
  return `block-v1:${courseKey.replace(/^course-v1:/, "")}+type@${type}+block@${id}`;
}

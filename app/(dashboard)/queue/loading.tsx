import { QueueSkeleton } from "@/components/queue/LiveQueue";

export default function Loading() {
  return (
    <div className="flex flex-col gap-4">
      <div className="h-8 w-64 animate-pulse rounded bg-slate-200" />
      <QueueSkeleton />
    </div>
  );
}
